import { bigint, bigserial, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, tenant, updatedAt } from "./_columns.js";
import { goldTasks } from "./gold-tasks.js";
import { workflows } from "./workflows.js";

export const ITEM_KINDS = ["source", "gold", "upstream", "rework"] as const;
export const TASK_STATES = [
  "CREATED",
  "IN_PROGRESS",
  "COMPLETED",
  "IN_REVIEW",
  "ACCEPTED",
  "REJECTED",
  "REWORK",
  "ESCALATED",
  "ARCHIVED",
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** One image/text of a workflow; the unit of agreement (LS Enterprise: task). */
export const items = pgTable(
  "items",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    organizationId: tenant(),
    workflowId: integer()
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    kind: text().$type<(typeof ITEM_KINDS)[number]>().notNull().default("source"),
    /** Unique within the workflow: the storage key, or a derived key for chained/rework items. */
    sourceKey: text().notNull(),
    storageKey: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>(),
    goldTaskId: integer().references(() => goldTasks.id, { onDelete: "set null" }),
    /** The item this one was derived from (chaining, rework). */
    originItemId: bigint({ mode: "number" }),
    reworkIteration: integer().notNull().default(0),
    /** How many annotators hold this item (claims); bounded by the workflow's annotationsPerItem. */
    assignedCount: integer().notNull().default(0),
    annotatedCount: integer().notNull().default(0),
    state: text().$type<TaskState>().notNull().default("CREATED"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("items_workflow_key_idx").on(t.workflowId, t.sourceKey),
    index("items_workflow_assigned_idx").on(t.workflowId, t.assignedCount, t.id),
  ],
);
