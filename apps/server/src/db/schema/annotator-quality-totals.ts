import { doublePrecision, index, integer, pgTable, primaryKey } from "drizzle-orm/pg-core";
import { tenant } from "./_columns.js";
import { annotators } from "./annotators.js";
import { workflows } from "./workflows.js";

/**
 * All-time quality totals per annotator and workflow: gold evaluations and their score sum, and
 * annotations a reviewer decided. Kept exact by triggers on `gold_results` and `annotations`
 * (migration `quality_totals_triggers`), so `GET /api/quality` without a time range reads 1 row per
 * annotator and workflow instead of every score and review.
 */
export const annotatorQualityTotals = pgTable(
  "annotator_quality_totals",
  {
    organizationId: tenant(),
    annotatorId: integer()
      .notNull()
      .references(() => annotators.id, { onDelete: "cascade" }),
    workflowId: integer()
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    evaluations: integer().notNull().default(0),
    scoreSum: doublePrecision().notNull().default(0),
    reviewed: integer().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.annotatorId, t.workflowId] }),
    index("annotator_quality_totals_org_idx").on(t.organizationId, t.workflowId),
  ],
);
