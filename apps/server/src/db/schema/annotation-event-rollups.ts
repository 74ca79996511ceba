import { doublePrecision, index, integer, pgTable, primaryKey } from "drizzle-orm/pg-core";
import { tenant, timestampTz } from "./_columns.js";
import { annotators } from "./annotators.js";

/**
 * Hourly roll-up of `annotation_created` events per annotator (the monitoring numbers). Maintained by
 * the `annotation_events_rollup` trigger (migration `monitoring_rollup_trigger`), so every writer of
 * annotation events keeps it exact without knowing about it; rebuilt from the events by that migration.
 */
export const annotationEventRollups = pgTable(
  "annotation_event_rollups",
  {
    organizationId: tenant(),
    annotatorId: integer()
      .notNull()
      .references(() => annotators.id, { onDelete: "cascade" }),
    /** Start of the UTC hour. */
    hour: timestampTz().notNull(),
    createdCount: integer().notNull().default(0),
    /** Events with a lead time, and the sum of those lead times (average = sum / count). */
    timedCount: integer().notNull().default(0),
    timeSumMs: doublePrecision().notNull().default(0),
    /** Lead-time buckets: [0, 10 s), [10 s, 30 s), [30 s, 60 s), 60 s and more. */
    under10s: integer().notNull().default(0),
    under30s: integer().notNull().default(0),
    under60s: integer().notNull().default(0),
    over60s: integer().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.annotatorId, t.hour] }),
    index("annotation_event_rollups_org_hour_idx").on(t.organizationId, t.hour),
  ],
);
