-- Hourly roll-up of annotation_created events per annotator (monitoring). A statement-level trigger
-- aggregates each INSERT's rows (one upsert per annotator and UTC hour), so single webhooks and bulk
-- inserts keep the roll-up exact in the same transaction as the events.
CREATE OR REPLACE FUNCTION labelfleet_rollup_annotation_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO annotation_event_rollups AS r
    (organization_id, annotator_id, hour, created_count, timed_count, time_sum_ms,
     under10s, under30s, under60s, over60s)
  SELECT organization_id, annotator_id,
    date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
    count(*),
    count(time_spent_ms),
    coalesce(sum(time_spent_ms), 0),
    count(*) FILTER (WHERE time_spent_ms < 10000),
    count(*) FILTER (WHERE time_spent_ms >= 10000 AND time_spent_ms < 30000),
    count(*) FILTER (WHERE time_spent_ms >= 30000 AND time_spent_ms < 60000),
    count(*) FILTER (WHERE time_spent_ms >= 60000)
  FROM inserted_events
  WHERE annotator_id IS NOT NULL AND event_type = 'annotation_created'
  GROUP BY 1, 2, 3
  ON CONFLICT (annotator_id, hour) DO UPDATE SET
    created_count = r.created_count + excluded.created_count,
    timed_count = r.timed_count + excluded.timed_count,
    time_sum_ms = r.time_sum_ms + excluded.time_sum_ms,
    under10s = r.under10s + excluded.under10s,
    under30s = r.under30s + excluded.under30s,
    under60s = r.under60s + excluded.under60s,
    over60s = r.over60s + excluded.over60s;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER annotation_events_rollup AFTER INSERT ON annotation_events
  REFERENCING NEW TABLE AS inserted_events
  FOR EACH STATEMENT EXECUTE FUNCTION labelfleet_rollup_annotation_events();
--> statement-breakpoint
INSERT INTO annotation_event_rollups
  (organization_id, annotator_id, hour, created_count, timed_count, time_sum_ms,
   under10s, under30s, under60s, over60s)
SELECT organization_id, annotator_id,
  date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
  count(*), count(time_spent_ms), coalesce(sum(time_spent_ms), 0),
  count(*) FILTER (WHERE time_spent_ms < 10000),
  count(*) FILTER (WHERE time_spent_ms >= 10000 AND time_spent_ms < 30000),
  count(*) FILTER (WHERE time_spent_ms >= 30000 AND time_spent_ms < 60000),
  count(*) FILTER (WHERE time_spent_ms >= 60000)
FROM annotation_events
WHERE annotator_id IS NOT NULL AND event_type = 'annotation_created'
GROUP BY 1, 2, 3
ON CONFLICT (annotator_id, hour) DO NOTHING;
--> statement-breakpoint
UPDATE gold_results g SET workflow_id = a.workflow_id
FROM assignments a WHERE a.id = g.assignment_id AND g.workflow_id IS NULL;
