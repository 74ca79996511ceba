import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { splitRange } from "./time-window.js";

// Statements run on PostgreSQL (`pg`) and PGlite; both return `{ rows }` from execute().
const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;
const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
/** ISO 8601 text of a timestamptz, whatever the session time zone and the driver's date parsing. */
export const isoOf = (column: SQL) =>
  sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** `annotation_created` events of a group: counts, lead-time sum and buckets, hours with activity. */
export interface EventStats {
  created: number;
  timed: number;
  timeSumMs: number;
  under10s: number;
  under30s: number;
  under60s: number;
  over60s: number;
  activeHours: number;
}

export const emptyStats = (): EventStats => ({
  created: 0,
  timed: 0,
  timeSumMs: 0,
  under10s: 0,
  under30s: 0,
  under60s: 0,
  over60s: 0,
  activeHours: 0,
});

type StatsRow = { key: string | number | Date } & Record<keyof EventStats, string | number>;

export interface EventScope {
  organizationId: number;
  annotatorId?: number | undefined;
}

function add(into: Map<string, EventStats>, rows: StatsRow[], keyOf: (key: StatsRow["key"]) => string) {
  for (const row of rows) {
    const key = keyOf(row.key);
    const s = into.get(key) ?? emptyStats();
    s.created += Number(row.created);
    s.timed += Number(row.timed);
    s.timeSumMs += Number(row.timeSumMs);
    s.under10s += Number(row.under10s);
    s.under30s += Number(row.under30s);
    s.under60s += Number(row.under60s);
    s.over60s += Number(row.over60s);
    s.activeHours += Number(row.activeHours);
    into.set(key, s);
  }
}

/**
 * Statistics of `annotation_created` events in [from, to), grouped by annotator or by UTC hour.
 * Whole hours come from the hourly roll-up (`annotation_event_rollups`, kept by a trigger), the
 * partial hours at either end from the events themselves, so the cost does not grow with the range's
 * event count and the numbers are exact to the millisecond.
 */
export async function eventStats(
  db: Db,
  scope: EventScope,
  from: Date,
  to: Date,
  by: "annotator" | "hour",
): Promise<Map<string, EventStats>> {
  const out = new Map<string, EventStats>();
  const { hours, edges } = splitRange(from, to);
  const keyOf =
    by === "annotator"
      ? (key: StatsRow["key"]) => String(Number(key))
      : (key: StatsRow["key"]) => new Date(Number(key) * 1000).toISOString();
  const annotatorR = scope.annotatorId === undefined ? sql`` : sql`and annotator_id = ${scope.annotatorId}`;
  if (hours) {
    const key: SQL = by === "annotator" ? sql`annotator_id` : sql`extract(epoch from hour)::bigint`;
    add(
      out,
      rowsOf<StatsRow>(
        await db.execute(sql`select ${key} as key, sum(created_count) as "created", sum(timed_count) as "timed",
            sum(time_sum_ms) as "timeSumMs", sum(under10s) as "under10s", sum(under30s) as "under30s",
            sum(under60s) as "under60s", sum(over60s) as "over60s",
            count(*) filter (where created_count > 0) as "activeHours"
          from annotation_event_rollups
          where organization_id = ${scope.organizationId} ${annotatorR}
            and hour >= ${ts(hours.start)} and hour < ${ts(hours.end)}
          group by 1`),
      ),
      keyOf,
    );
  }
  if (edges.length > 0) {
    const hourOf = sql`date_trunc('hour', created_at at time zone 'UTC') at time zone 'UTC'`;
    const key: SQL = by === "annotator" ? sql`annotator_id` : sql`extract(epoch from ${hourOf})::bigint`;
    const within = sql.join(
      edges.map((e) => sql`(created_at >= ${ts(e.start)} and created_at < ${ts(e.end)})`),
      sql` or `,
    );
    add(
      out,
      rowsOf<StatsRow>(
        await db.execute(sql`select ${key} as key, count(*) as "created", count(time_spent_ms) as "timed",
            coalesce(sum(time_spent_ms), 0) as "timeSumMs",
            count(*) filter (where time_spent_ms < 10000) as "under10s",
            count(*) filter (where time_spent_ms >= 10000 and time_spent_ms < 30000) as "under30s",
            count(*) filter (where time_spent_ms >= 30000 and time_spent_ms < 60000) as "under60s",
            count(*) filter (where time_spent_ms >= 60000) as "over60s",
            count(distinct ${hourOf}) as "activeHours"
          from annotation_events
          where organization_id = ${scope.organizationId} ${annotatorR}
            and annotator_id is not null and event_type = 'annotation_created' and (${within})
          group by 1`),
      ),
      keyOf,
    );
  }
  return out;
}

/** Assignments per annotator and status (every status; small: one row per annotator and status). */
export async function assignmentCounts(db: Db, organizationId: number, annotatorId?: number) {
  return rowsOf<{ annotator_id: number; status: string; n: number | string }>(
    await db.execute(sql`select annotator_id, status, count(*) as n from assignments
      where organization_id = ${organizationId}
        ${annotatorId === undefined ? sql`` : sql`and annotator_id = ${annotatorId}`}
      group by annotator_id, status`),
  ).map((r) => ({ annotatorId: Number(r.annotator_id), status: r.status, n: Number(r.n) }));
}

export async function fleetCounts(db: Db, organizationId: number) {
  const [row] = rowsOf<{ active: number | string; in_progress: number | string }>(
    await db.execute(sql`select
      (select count(*) from annotators where organization_id = ${organizationId} and status = 'active') as active,
      (select count(*) from assignments where organization_id = ${organizationId} and status = 'in_progress')
        as in_progress`),
  );
  return { activeAnnotators: Number(row?.active ?? 0), inProgressAssignments: Number(row?.in_progress ?? 0) };
}

export async function annotatorsOf(db: Db, organizationId: number, annotatorId?: number) {
  return rowsOf<{ id: number; name: string; status: string; started_at: string | null }>(
    await db.execute(sql`select id, name, status, ${isoOf(sql`started_at`)} as started_at from annotators
      where organization_id = ${organizationId} and status <> 'deleted'
        ${annotatorId === undefined ? sql`` : sql`and id = ${annotatorId}`}
      order by id`),
  );
}

/** The annotator's latest annotation events before `to`, newest first. */
export async function recentEvents(
  db: Db,
  organizationId: number,
  annotatorId: number,
  to: Date,
  limit: number,
) {
  return rowsOf<{
    event_type: string;
    ls_task_id: number | null;
    time_spent_ms: number | null;
    created_at: string | Date;
  }>(
    await db.execute(sql`select event_type, ls_task_id, time_spent_ms, ${isoOf(sql`created_at`)} as created_at
      from annotation_events
      where annotator_id = ${annotatorId} and organization_id = ${organizationId} and created_at < ${ts(to)}
      order by annotation_events.created_at desc, annotation_events.id desc
      limit ${limit}`),
  );
}
