import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, serial, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, tenant, timestampTz, updatedAt } from "./_columns.js";
import { roles } from "./roles.js";

/** Lifecycle of an annotator's LS instance (the spec's values plus `paused`, see fsm/). */
export const ANNOTATOR_STATUSES = [
  "created",
  "starting",
  "active",
  "paused",
  "stopping",
  "stopped",
  "error",
  "deleted",
] as const;
export type AnnotatorStatus = (typeof ANNOTATOR_STATUSES)[number];

export const annotators = pgTable(
  "annotators",
  {
    id: serial().primaryKey(),
    organizationId: tenant(),
    name: text().notNull(),
    email: text().notNull(),
    roleId: integer().references(() => roles.id, { onDelete: "set null" }),
    status: text().$type<AnnotatorStatus>().notNull().default("created"),
    notes: text(),
    /** Backend that runs the instance (docker, ecs, kubernetes, process). */
    backend: text(),
    containerId: text(),
    containerIp: text(),
    containerPort: integer(),
    /** Base URL LabelFleet uses to reach the instance's LS API. */
    instanceUrl: text(),
    subdomain: text(),
    databaseName: text(),
    /** LS API token and webhook secret, encrypted with the server key (lib/secrets.ts). */
    apiTokenEnc: text(),
    webhookSecretEnc: text(),
    lsUserId: integer(),
    lastActiveAt: timestampTz(),
    startedAt: timestampTz(),
    restartCount: integer().notNull().default(0),
    lastError: text(),
    backendData: jsonb().$type<Record<string, unknown>>(),
    rejectionCount: integer().notNull().default(0),
    reviewedCount: integer().notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("annotators_org_email_idx")
      .on(t.organizationId, sql`lower(${t.email})`)
      .where(sql`${t.status} <> 'deleted'`),
    uniqueIndex("annotators_subdomain_idx").on(t.subdomain),
    index("annotators_org_status_idx").on(t.organizationId, t.status),
  ],
);
