import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { isoOf } from "../monitoring/monitoring.repo.js";

export interface QualityFilters {
  workflowId?: number | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

// Statements run on PostgreSQL (`pg`) and PGlite; both return `{ rows }` from execute().
const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/** `and <column> >= from and <column> < to` for the filters' time range. */
function range(column: SQL, f: QualityFilters) {
  return sql`${f.from ? sql`and ${column} >= ${f.from.toISOString()}::timestamptz` : sql``}
    ${f.to ? sql`and ${column} < ${f.to.toISOString()}::timestamptz` : sql``}`;
}

const isAllTime = (f: QualityFilters) => f.from === undefined && f.to === undefined;

/**
 * All-time totals per annotator from `annotator_quality_totals` (kept by triggers): one row per
 * annotator and workflow instead of every gold result and review.
 */
async function totalsByAnnotator(db: Db, organizationId: number, f: QualityFilters) {
  return rowsOf<{
    annotator_id: number;
    n: number | string;
    score_sum: number | string;
    reviewed: number | string;
  }>(
    await db.execute(sql`select annotator_id, sum(evaluations) as n, sum(score_sum) as score_sum,
        sum(reviewed) as reviewed
      from annotator_quality_totals
      where organization_id = ${organizationId}
        ${f.workflowId !== undefined ? sql`and workflow_id = ${f.workflowId}` : sql``}
      group by annotator_id`),
  );
}

/** Gold evaluations per annotator: count and mean score. */
export async function goldStatsByAnnotator(db: Db, organizationId: number, f: QualityFilters) {
  if (isAllTime(f)) {
    return (await totalsByAnnotator(db, organizationId, f))
      .filter((r) => Number(r.n) > 0)
      .map((r) => ({ annotatorId: Number(r.annotator_id), n: Number(r.n), sum: Number(r.score_sum) }));
  }
  const rows = rowsOf<{ annotator_id: number; n: number | string; score_sum: number | string }>(
    await db.execute(sql`select g.annotator_id, count(*) as n, sum(g.score) as score_sum
      from gold_results g
      where g.organization_id = ${organizationId}
        ${f.workflowId !== undefined ? sql`and g.workflow_id = ${f.workflowId}` : sql``}
        ${range(sql`g.evaluated_at`, f)}
      group by g.annotator_id`),
  );
  return rows.map((r) => ({ annotatorId: Number(r.annotator_id), n: Number(r.n), sum: Number(r.score_sum) }));
}

/**
 * Reviews per annotator: `reviewed` = their annotations a reviewer decided (ACCEPTED or REJECTED,
 * dated by the decision's update), `rejected` = rejection records naming them as the original
 * annotator. With a workflow filter both count work done in that workflow.
 */
export async function reviewStatsByAnnotator(db: Db, organizationId: number, f: QualityFilters) {
  const reviewed = isAllTime(f)
    ? (await totalsByAnnotator(db, organizationId, f))
        .filter((r) => Number(r.reviewed) > 0)
        .map((r) => ({ annotator_id: r.annotator_id, n: r.reviewed }))
    : await reviewedInRange(db, organizationId, f);
  const rejected = rowsOf<{ annotator_id: number; n: number | string }>(
    await db.execute(sql`select r.original_annotator_id as annotator_id, count(*) as n
      from rejections r
      ${f.workflowId !== undefined ? sql`join assignments s on s.id = r.original_assignment_id and s.workflow_id = ${f.workflowId}` : sql``}
      where r.organization_id = ${organizationId} and r.original_annotator_id is not null
        ${range(sql`r.created_at`, f)}
      group by r.original_annotator_id`),
  );
  return {
    reviewed: new Map(reviewed.map((r) => [Number(r.annotator_id), Number(r.n)])),
    rejected: new Map(rejected.map((r) => [Number(r.annotator_id), Number(r.n)])),
  };
}

/** Reviewed annotations per annotator in a time range (dated by the decision's update). */
async function reviewedInRange(db: Db, organizationId: number, f: QualityFilters) {
  return rowsOf<{ annotator_id: number; n: number | string }>(
    await db.execute(sql`select a.annotator_id, count(*) as n
      from annotations a
      ${f.workflowId !== undefined ? sql`join items i on i.id = a.item_id and i.workflow_id = ${f.workflowId}` : sql``}
      where a.organization_id = ${organizationId} and a.state in ('ACCEPTED', 'REJECTED')
        ${range(sql`a.updated_at`, f)}
      group by a.annotator_id`),
  );
}

export async function annotatorNames(db: Db, organizationId: number, ids: number[]) {
  if (ids.length === 0) return new Map<number, string>();
  const rows = rowsOf<{ id: number; name: string }>(
    await db.execute(sql`select id, name from annotators where organization_id = ${organizationId}
      and id in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`),
  );
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

export async function recentEvaluations(db: Db, organizationId: number, f: QualityFilters, limit: number) {
  return rowsOf<{
    annotator_id: number;
    annotator_name: string;
    gold_task_name: string | null;
    score: number;
    evaluated_at: string | Date;
  }>(
    await db.execute(sql`select g.annotator_id, a.name as annotator_name, t.name as gold_task_name, g.score,
        ${isoOf(sql`g.evaluated_at`)} as evaluated_at
      from gold_results g
      join annotators a on a.id = g.annotator_id
      join gold_tasks t on t.id = g.gold_task_id
      where g.organization_id = ${organizationId}
        ${f.workflowId !== undefined ? sql`and g.workflow_id = ${f.workflowId}` : sql``}
        ${range(sql`g.evaluated_at`, f)}
      order by g.evaluated_at desc, g.id desc
      limit ${limit}`),
  );
}

export async function recentRejections(db: Db, organizationId: number, f: QualityFilters, limit: number) {
  return rowsOf<{
    original_annotator_id: number | null;
    original_annotator_name: string | null;
    reviewer_annotator_name: string | null;
    image_key: string | null;
    reason: string | null;
    action_taken: string;
    created_at: string | Date;
  }>(
    await db.execute(sql`select r.original_annotator_id, o.name as original_annotator_name,
        v.name as reviewer_annotator_name, r.image_key, r.reason, r.action_taken,
        ${isoOf(sql`r.created_at`)} as created_at
      from rejections r
      left join annotators o on o.id = r.original_annotator_id
      left join annotators v on v.id = r.reviewer_annotator_id
      ${f.workflowId !== undefined ? sql`join assignments s on s.id = r.original_assignment_id and s.workflow_id = ${f.workflowId}` : sql``}
      where r.organization_id = ${organizationId}
        ${range(sql`r.created_at`, f)}
      order by r.created_at desc, r.id desc
      limit ${limit}`),
  );
}
