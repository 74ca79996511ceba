-- All-time quality totals per annotator and workflow (GET /api/quality without a time range).
-- Statement-level triggers with transition tables keep them exact in the writer's transaction:
-- gold_results (evaluations, score sum) and annotations (reviewed = state ACCEPTED or REJECTED).
-- Deletions only subtract from existing rows (never insert), so cascades of a deleted annotator,
-- workflow or organization cannot trip over the foreign keys of the totals.
CREATE OR REPLACE FUNCTION labelfleet_quality_totals_gold() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE annotator_quality_totals t
    SET evaluations = t.evaluations - d.n, score_sum = t.score_sum - d.s
    FROM (SELECT annotator_id, workflow_id, count(*) AS n, sum(score) AS s FROM old_rows
          WHERE workflow_id IS NOT NULL GROUP BY 1, 2) d
    WHERE t.annotator_id = d.annotator_id AND t.workflow_id = d.workflow_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO annotator_quality_totals AS t (organization_id, annotator_id, workflow_id, evaluations, score_sum)
    SELECT organization_id, annotator_id, workflow_id, count(*), sum(score) FROM new_rows
    WHERE workflow_id IS NOT NULL GROUP BY 1, 2, 3
    ON CONFLICT (annotator_id, workflow_id) DO UPDATE SET
      evaluations = t.evaluations + excluded.evaluations, score_sum = t.score_sum + excluded.score_sum;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER gold_results_totals_insert AFTER INSERT ON gold_results
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION labelfleet_quality_totals_gold();
--> statement-breakpoint
CREATE TRIGGER gold_results_totals_update AFTER UPDATE ON gold_results
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION labelfleet_quality_totals_gold();
--> statement-breakpoint
CREATE TRIGGER gold_results_totals_delete AFTER DELETE ON gold_results
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION labelfleet_quality_totals_gold();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION labelfleet_quality_totals_reviews() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO annotator_quality_totals AS t (organization_id, annotator_id, workflow_id, reviewed)
    SELECT n.organization_id, n.annotator_id, i.workflow_id, count(*)
    FROM new_rows n JOIN items i ON i.id = n.item_id
    WHERE n.state IN ('ACCEPTED', 'REJECTED') GROUP BY 1, 2, 3
    ON CONFLICT (annotator_id, workflow_id) DO UPDATE SET reviewed = t.reviewed + excluded.reviewed;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO annotator_quality_totals AS t (organization_id, annotator_id, workflow_id, reviewed)
    SELECT n.organization_id, n.annotator_id, i.workflow_id,
      sum((n.state IN ('ACCEPTED', 'REJECTED'))::int - (o.state IN ('ACCEPTED', 'REJECTED'))::int)
    FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN items i ON i.id = n.item_id
    WHERE (n.state IN ('ACCEPTED', 'REJECTED')) <> (o.state IN ('ACCEPTED', 'REJECTED'))
    GROUP BY 1, 2, 3
    ON CONFLICT (annotator_id, workflow_id) DO UPDATE SET reviewed = t.reviewed + excluded.reviewed;
  ELSE
    UPDATE annotator_quality_totals t SET reviewed = t.reviewed - d.n
    FROM (SELECT o.annotator_id, i.workflow_id, count(*) AS n
          FROM old_rows o JOIN items i ON i.id = o.item_id
          WHERE o.state IN ('ACCEPTED', 'REJECTED') GROUP BY 1, 2) d
    WHERE t.annotator_id = d.annotator_id AND t.workflow_id = d.workflow_id;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER annotations_totals_insert AFTER INSERT ON annotations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION labelfleet_quality_totals_reviews();
--> statement-breakpoint
CREATE TRIGGER annotations_totals_update AFTER UPDATE ON annotations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION labelfleet_quality_totals_reviews();
--> statement-breakpoint
CREATE TRIGGER annotations_totals_delete AFTER DELETE ON annotations
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION labelfleet_quality_totals_reviews();
--> statement-breakpoint
INSERT INTO annotator_quality_totals (organization_id, annotator_id, workflow_id, evaluations, score_sum, reviewed)
SELECT organization_id, annotator_id, workflow_id, sum(e), sum(s), sum(r) FROM (
  SELECT organization_id, annotator_id, workflow_id, count(*) AS e, sum(score) AS s, 0 AS r
  FROM gold_results WHERE workflow_id IS NOT NULL GROUP BY 1, 2, 3
  UNION ALL
  SELECT a.organization_id, a.annotator_id, i.workflow_id, 0, 0, count(*)
  FROM annotations a JOIN items i ON i.id = a.item_id
  WHERE a.state IN ('ACCEPTED', 'REJECTED') GROUP BY 1, 2, 3
) x GROUP BY 1, 2, 3
ON CONFLICT (annotator_id, workflow_id) DO NOTHING;
