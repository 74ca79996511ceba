import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { executePrepared } from "../../db/prepared.js";
import type { AnnotationUpsert } from "./annotation-changes.js";

export const JOB_ANNOTATION_CHANGED = "annotation.changed";
export const JOB_ASSIGNMENT_COMPLETE = "assignment.complete";

export interface IngestUpsertInput {
  annotatorId: number;
  eventKey: string;
  eventType: string;
  change: AnnotationUpsert;
  /** UUIDv7 of the annotation's creation history row (used only when the annotation is new). */
  historyId: string;
  source: string;
}

export interface IngestUpsertResult {
  /** The assignment task the LS task stands for, when we know it (any assignment status). */
  target: { assignmentId: number; assignmentStatus: string; itemId: number; organizationId: number } | null;
  /** False when the event key was seen before (a duplicate) or the target cannot take it. */
  isFresh: boolean;
  /** The stored annotation; null for duplicates, unplaced changes and stale updates. */
  annotation: { id: number; isInserted: boolean } | null;
}

/** One input row of the statement (`jsonb_to_recordset` columns). */
const inputRow = (input: IngestUpsertInput, ord: number) => {
  const c = input.change;
  return {
    ord,
    annotator_id: input.annotatorId,
    event_key: input.eventKey,
    event_type: input.eventType,
    ls_project_id: c.lsProjectId,
    ls_task_id: c.lsTaskId,
    ls_annotation_id: c.lsAnnotationId,
    time_spent_ms: c.leadTimeSeconds === null ? null : c.leadTimeSeconds * 1000,
    result: c.result,
    lead_time: c.leadTimeSeconds,
    was_cancelled: c.wasCancelled,
    ls_created_at: c.lsCreatedAt?.toISOString() ?? null,
    ls_updated_at: c.lsUpdatedAt?.toISOString() ?? null,
    history_id: input.historyId,
    source: input.source,
  };
};

/**
 * Webhook upserts in one statement (the webhook's hot path, DESIGN §4 step 4), for one change or a
 * batch of them: find each change's task, store each event once (unique key), upsert the annotations
 * (an update older than the stored one changes nothing), record the FSM creation of new ones, mark
 * their tasks done and count them on the assignments, queue `annotation.changed` per stored change and
 * `assignment.complete` (singleton) for each assignment whose last task is done. Data-modifying CTEs
 * run atomically, so no explicit transaction (and its round trips) is needed; the rows travel as one
 * JSON parameter, so the statement text — and its prepared plan — is the same for every batch size.
 *
 * A batch must not hold two inputs with the same event key or the same (annotator, LS annotation):
 * PostgreSQL refuses to upsert one row twice in a statement (the batcher keeps them apart).
 * Results come back in input order.
 */
export async function ingestUpsertMany(db: Db, inputs: IngestUpsertInput[]): Promise<IngestUpsertResult[]> {
  if (inputs.length === 0) return [];
  const rows = JSON.stringify(inputs.map(inputRow));
  const result = await executePrepared(
    db,
    sql`
    with input as (
      select * from jsonb_to_recordset(${rows}::jsonb) as x(ord int, annotator_id int, event_key text,
        event_type text, ls_project_id int, ls_task_id int, ls_annotation_id int, time_spent_ms real,
        result jsonb, lead_time real, was_cancelled boolean, ls_created_at timestamptz,
        ls_updated_at timestamptz, history_id uuid, source text)
    ), target as (
      select i.ord, tg.* from input i cross join lateral (
        select t.id as task_id, t.item_id, a.id as assignment_id, a.status, a.organization_id
        from assignment_tasks t join assignments a on a.id = t.assignment_id
        where a.annotator_id = i.annotator_id and a.ls_project_id = i.ls_project_id
          and t.ls_task_id = i.ls_task_id
        order by a.id desc limit 1) tg
    ), live as (
      select i.*, t.task_id, t.item_id, t.assignment_id, t.organization_id
      from input i join target t on t.ord = i.ord
      where t.status not in ('cancelled', 'failed')
    ), event as (
      insert into annotation_events (organization_id, annotator_id, assignment_id, event_key, event_type,
        ls_project_id, ls_task_id, ls_annotation_id, time_spent_ms)
      select organization_id, annotator_id, assignment_id, event_key, event_type, ls_project_id, ls_task_id,
        ls_annotation_id, time_spent_ms
      from live order by ord
      on conflict (event_key) do nothing
      returning event_key
    ), fresh as (
      select live.* from live join event on event.event_key = live.event_key
    ), upserted as (
      insert into annotations as an (organization_id, item_id, assignment_id, annotator_id, ls_annotation_id,
        ls_task_id, ls_project_id, result, lead_time, was_cancelled, ls_created_at, ls_updated_at)
      select organization_id, item_id, assignment_id, annotator_id, ls_annotation_id, ls_task_id,
        ls_project_id, result, lead_time, was_cancelled, ls_created_at, ls_updated_at
      from fresh order by ord
      on conflict (annotator_id, ls_annotation_id) do update set
        result = excluded.result, lead_time = excluded.lead_time, was_cancelled = excluded.was_cancelled,
        ls_updated_at = excluded.ls_updated_at, updated_at = now()
      where an.ls_updated_at is null or excluded.ls_updated_at is null
        or excluded.ls_updated_at >= an.ls_updated_at
      returning an.id, an.annotator_id, an.ls_annotation_id, (an.xmax = 0) as inserted
    ), stored as (
      select f.*, u.id as annotation_id, u.inserted from fresh f
      join upserted u on u.annotator_id = f.annotator_id and u.ls_annotation_id = f.ls_annotation_id
    ), history as (
      insert into fsm_state_history (id, organization_id, entity_name, entity_id, state, previous_state,
        transition_name, context_data)
      select history_id, organization_id, 'annotation', annotation_id::text, 'CREATED', null, 'create',
        jsonb_build_object('source', source)
      from stored where inserted order by ord
    ), done as (
      update assignment_tasks t set is_done = true, completed_at = now()
      from (select distinct task_id from stored) s
      where t.id = s.task_id and not t.is_done
      returning t.assignment_id
    ), progress as (
      update assignments a set completed_count = a.completed_count + d.n, updated_at = now()
      from (select assignment_id, count(*)::int as n from done group by assignment_id) d
      where a.id = d.assignment_id
      returning a.id, a.completed_count, a.task_count
    ), changed as (
      insert into jobs (name, payload)
      select ${JOB_ANNOTATION_CHANGED}, jsonb_build_object('annotationId', annotation_id,
        'organizationId', organization_id, 'itemId', item_id, 'annotatorId', annotator_id,
        'assignmentId', assignment_id, 'kind', case when inserted then 'created' else 'updated' end)
      from stored order by ord
    ), completion as (
      insert into jobs (name, payload, singleton_key)
      select ${JOB_ASSIGNMENT_COMPLETE}, jsonb_build_object('assignmentId', p.id), p.id::text
      from progress p where p.completed_count >= p.task_count
      on conflict do nothing
    )
    select i.ord, t.assignment_id, t.status, t.item_id, t.organization_id,
      exists (select 1 from event e where e.event_key = i.event_key) as fresh,
      s.annotation_id, s.inserted
    from input i left join target t on t.ord = i.ord left join stored s on s.ord = i.ord
    order by i.ord`,
  );
  type Row = {
    ord: number;
    assignment_id: number | string | null;
    status: string | null;
    item_id: number | string | null;
    organization_id: number | string | null;
    fresh: boolean;
    annotation_id: number | string | null;
    inserted: boolean | null;
  };
  const byOrd = new Map<number, Row>();
  for (const row of (result as { rows: Row[] }).rows) byOrd.set(Number(row.ord), row);
  return inputs.map((_, ord) => {
    const row = byOrd.get(ord);
    return {
      target:
        row && row.assignment_id !== null
          ? {
              assignmentId: Number(row.assignment_id),
              assignmentStatus: String(row.status),
              itemId: Number(row.item_id),
              organizationId: Number(row.organization_id),
            }
          : null,
      isFresh: Boolean(row?.fresh),
      annotation:
        row?.annotation_id === null || row?.annotation_id === undefined
          ? null
          : { id: Number(row.annotation_id), isInserted: Boolean(row.inserted) },
    };
  });
}
