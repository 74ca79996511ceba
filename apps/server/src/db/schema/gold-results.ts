import { bigint, index, integer, jsonb, pgTable, real, serial } from "drizzle-orm/pg-core";
import { createdAt, tenant } from "./_columns.js";
import { annotators } from "./annotators.js";
import { assignments } from "./assignments.js";
import { goldTasks } from "./gold-tasks.js";
import { workflows } from "./workflows.js";

/** The score of one annotation of a gold item against the gold task's expected labels. */
export const goldResults = pgTable(
  "gold_results",
  {
    id: serial().primaryKey(),
    organizationId: tenant(),
    goldTaskId: integer()
      .notNull()
      .references(() => goldTasks.id, { onDelete: "cascade" }),
    annotatorId: integer()
      .notNull()
      .references(() => annotators.id, { onDelete: "cascade" }),
    assignmentId: integer().references(() => assignments.id, { onDelete: "set null" }),
    /** The workflow of the gold item: quality is filtered by workflow without joining assignments. */
    workflowId: integer().references(() => workflows.id, { onDelete: "cascade" }),
    annotationId: bigint({ mode: "number" }).unique(),
    score: real().notNull(),
    dimensionScores: jsonb().$type<Record<string, number | null>>(),
    evaluatedAt: createdAt(),
  },
  (t) => [
    index("gold_results_org_annotator_idx").on(t.organizationId, t.annotatorId, t.evaluatedAt),
    index("gold_results_org_evaluated_idx").on(t.organizationId, t.evaluatedAt),
    index("gold_results_workflow_annotator_idx").on(t.workflowId, t.annotatorId, t.evaluatedAt),
  ],
);
