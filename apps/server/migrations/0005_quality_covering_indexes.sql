-- GET /api/quality aggregates whole organizations: covering indexes let PostgreSQL answer from the
-- index alone (index-only scans) instead of reading every gold result and reviewed annotation row.
CREATE INDEX IF NOT EXISTS "gold_results_quality_cover_idx" ON "gold_results" ("organization_id", "annotator_id")
  INCLUDE ("score", "evaluated_at", "workflow_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "annotations_reviewed_idx" ON "annotations" ("organization_id", "annotator_id")
  INCLUDE ("updated_at", "item_id") WHERE "state" IN ('ACCEPTED', 'REJECTED');
