import { index, integer, jsonb, pgTable, serial, text } from "drizzle-orm/pg-core";
import { createdAt, tenant, timestampTz, updatedAt } from "./_columns.js";
import { members } from "./members.js";

export const BACKFILL_KINDS = ["agreement", "fsm"] as const;
export const BACKFILL_STATUSES = [
  "PENDING",
  "QUEUED",
  "RUNNING",
  "COMPLETED",
  "FAILED",
  "CANCELLED",
] as const;

/** Agreement V2 and FSM state backfill jobs, per project (workflow) or organization. */
export const backfillJobs = pgTable(
  "backfill_jobs",
  {
    id: serial().primaryKey(),
    organizationId: tenant(),
    kind: text().$type<(typeof BACKFILL_KINDS)[number]>().notNull(),
    projectId: integer(),
    status: text().$type<(typeof BACKFILL_STATUSES)[number]>().notNull().default("PENDING"),
    progressData: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** Resume point: the last entity id processed. */
    cursor: text(),
    error: text(),
    cancelRequested: integer().notNull().default(0),
    createdById: integer().references(() => members.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: timestampTz(),
    finishedAt: timestampTz(),
  },
  (t) => [index("backfill_jobs_org_kind_idx").on(t.organizationId, t.kind, t.status)],
);
