import { bigint, index, integer, pgTable, serial, text } from "drizzle-orm/pg-core";
import { createdAt, tenant } from "./_columns.js";
import { annotators } from "./annotators.js";
import { assignments } from "./assignments.js";
import { workflows } from "./workflows.js";

export const REJECTION_ACTIONS = ["none", "archive", "route_to_workflow", "escalated"] as const;

/** Audit trail of a reviewer's reject decision and where the work went. */
export const rejections = pgTable(
  "rejections",
  {
    id: serial().primaryKey(),
    organizationId: tenant(),
    itemId: bigint({ mode: "number" }),
    annotationId: bigint({ mode: "number" }),
    originalAnnotatorId: integer().references(() => annotators.id, { onDelete: "set null" }),
    reviewerAnnotatorId: integer().references(() => annotators.id, { onDelete: "set null" }),
    reviewerAssignmentId: integer().references(() => assignments.id, { onDelete: "set null" }),
    originalAssignmentId: integer().references(() => assignments.id, { onDelete: "set null" }),
    routedToAssignmentId: integer().references(() => assignments.id, { onDelete: "set null" }),
    routedToWorkflowId: integer().references(() => workflows.id, { onDelete: "set null" }),
    workflowId: integer().references(() => workflows.id, { onDelete: "set null" }),
    imageKey: text(),
    reason: text(),
    actionTaken: text().$type<(typeof REJECTION_ACTIONS)[number]>().notNull().default("none"),
    iteration: integer().notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [index("rejections_org_created_idx").on(t.organizationId, t.createdAt)],
);
