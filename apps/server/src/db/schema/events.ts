import { bigserial, index, integer, jsonb, pgTable, real, serial, text } from "drizzle-orm/pg-core";
import { createdAt, tenant } from "./_columns.js";
import { annotators } from "./annotators.js";

/** Lifecycle of an annotator's instance: created, starting, active, stopped, error, ... */
export const containerEvents = pgTable(
  "container_events",
  {
    id: serial().primaryKey(),
    organizationId: tenant(),
    annotatorId: integer().references(() => annotators.id, { onDelete: "cascade" }),
    eventType: text().notNull(),
    message: text(),
    details: jsonb().$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [index("container_events_org_created_idx").on(t.organizationId, t.createdAt)],
);

/** One webhook (or reconcile) event about an annotation; `eventKey` makes ingestion idempotent. */
export const annotationEvents = pgTable(
  "annotation_events",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    organizationId: tenant(),
    annotatorId: integer().references(() => annotators.id, { onDelete: "cascade" }),
    assignmentId: integer(),
    eventKey: text().notNull().unique(),
    eventType: text().notNull(),
    lsProjectId: integer(),
    lsTaskId: integer(),
    lsAnnotationId: integer(),
    timeSpentMs: real(),
    createdAt: createdAt(),
  },
  (t) => [
    index("annotation_events_org_created_idx").on(t.organizationId, t.createdAt),
    index("annotation_events_annotator_created_idx").on(t.annotatorId, t.createdAt),
  ],
);
