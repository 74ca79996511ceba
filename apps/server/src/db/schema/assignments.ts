import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  pgTable,
  serial,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { createdAt, tenant, timestampTz, updatedAt } from "./_columns.js";
import { annotators } from "./annotators.js";
import { workflows } from "./workflows.js";

export const ASSIGNMENT_STATUSES = ["pending", "in_progress", "completed", "failed", "cancelled"] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];

/** A batch of items given to one annotator (inside the annotator's LS: a project). */
export const assignments = pgTable(
  "assignments",
  {
    id: serial().primaryKey(),
    organizationId: tenant(),
    workflowId: integer()
      .notNull()
      .references(() => workflows.id, { onDelete: "restrict" }),
    annotatorId: integer()
      .notNull()
      .references(() => annotators.id, { onDelete: "restrict" }),
    lsProjectId: integer(),
    taskCount: integer().notNull().default(0),
    goldTaskCount: integer().notNull().default(0),
    completedCount: integer().notNull().default(0),
    status: text().$type<AssignmentStatus>().notNull().default("pending"),
    failureReason: text(),
    deliveryAttempts: integer().notNull().default(0),
    exportKey: text(),
    startedAt: timestampTz(),
    completedAt: timestampTz(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("assignments_org_status_idx").on(t.organizationId, t.status),
    index("assignments_annotator_idx").on(t.annotatorId, t.status),
    index("assignments_workflow_idx").on(t.workflowId, t.status),
  ],
);

/** One item inside one assignment (inside LS: a task). */
export const assignmentTasks = pgTable(
  "assignment_tasks",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    // No foreign keys on the claim's hot path (migration 0010, docs/ARCHITECTURE.md Decision 23): the
    // claim writes these from rows it holds locked, and delete triggers on assignments and items give
    // the cascade the keys gave. `annotatorId` is the assignment's (whose key restricts deletes).
    assignmentId: integer().notNull(),
    annotatorId: integer().notNull(),
    itemId: bigint({ mode: "number" }).notNull(),
    position: integer().notNull().default(0),
    isGold: boolean().notNull().default(false),
    lsTaskId: integer(),
    isDone: boolean().notNull().default(false),
    completedAt: timestampTz(),
    /** Set when the item went back to the pool (failed delivery, cancel): its claim no longer counts. */
    releasedAt: timestampTz(),
    createdAt: createdAt(),
  },
  (t) => [
    index("assignment_tasks_item_annotator_idx").on(t.itemId, t.annotatorId),
    // An item is never handed to one annotator twice: the claim query avoids it, this enforces it.
    uniqueIndex("assignment_tasks_annotator_item_idx").on(t.annotatorId, t.itemId),
    // Also the lookup by assignment (an item is in an assignment once: the annotator key says so).
    index("assignment_tasks_ls_task_idx").on(t.assignmentId, t.lsTaskId),
  ],
);
