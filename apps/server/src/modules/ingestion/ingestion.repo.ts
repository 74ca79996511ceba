import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { annotationEvents, annotations, assignments, assignmentTasks } from "../../db/schema/index.js";
import type { AnnotationUpsert } from "./annotation-changes.js";

export const JOB_ANNOTATION_CHANGED = "annotation.changed";
export const JOB_ASSIGNMENT_COMPLETE = "assignment.complete";

/** Stores an event once; returns false when its key was seen before (a duplicate webhook). */
export async function insertEventOnce(
  db: Db,
  values: typeof annotationEvents.$inferInsert,
): Promise<boolean> {
  const rows = await db
    .insert(annotationEvents)
    .values(values)
    .onConflictDoNothing()
    .returning({ id: annotationEvents.id });
  return rows.length > 0;
}

/** Undoes the task's "done" after its annotation was deleted in LS. */
export async function markTaskUndone(db: Db, assignmentId: number, itemId: number) {
  const changed = await db
    .update(assignmentTasks)
    .set({ isDone: false, completedAt: null })
    .where(
      and(
        eq(assignmentTasks.assignmentId, assignmentId),
        eq(assignmentTasks.itemId, itemId),
        eq(assignmentTasks.isDone, true),
      ),
    )
    .returning({ id: assignmentTasks.id });
  if (changed.length === 0) return;
  await db
    .update(assignments)
    .set({ completedCount: sql`greatest(${assignments.completedCount} - 1, 0)`, updatedAt: new Date() })
    .where(eq(assignments.id, assignmentId));
}

export async function findAnnotation(db: Db, annotatorId: number, lsAnnotationId: number) {
  const [row] = await db
    .select()
    .from(annotations)
    .where(and(eq(annotations.annotatorId, annotatorId), eq(annotations.lsAnnotationId, lsAnnotationId)));
  return row ?? null;
}

/** Drizzle internals `db.execute` itself uses (pg-core/db.js), to pass a statement name. */
interface Executor {
  dialect?: { sqlToQuery(query: SQL): unknown };
  session?: {
    prepareQuery(
      query: unknown,
      fields: undefined,
      name: string,
      isArrayMode: boolean,
    ): {
      execute(): Promise<unknown>;
    };
  };
}

/**
 * Runs `query` like `db.execute`, as the named prepared statement `name`: on PostgreSQL each pooled
 * connection parses and plans it once, then only binds the values (the hot path's SQL is ~3 KB).
 * The text must be the same for every call (values go in as parameters only).
 */
function executeNamed(db: Db, name: string, query: SQL): Promise<unknown> {
  const { dialect, session } = db as unknown as Executor;
  if (!dialect?.sqlToQuery || !session?.prepareQuery) return db.execute(query);
  return session.prepareQuery(dialect.sqlToQuery(query), undefined, name, false).execute();
}

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

/**
 * One webhook upsert in one statement (the webhook's hot path, DESIGN §4 step 4): find the task,
 * store the event once (unique key), upsert the annotation (an update older than the stored one
 * changes nothing), record its FSM creation, mark the task done and count it on the assignment,
 * queue `annotation.changed`, and `assignment.complete` (singleton) when the last task is done.
 * Data-modifying CTEs run atomically, so no explicit transaction (and its round trips) is needed.
 */
export async function ingestUpsert(db: Db, input: IngestUpsertInput): Promise<IngestUpsertResult> {
  const c = input.change;
  const result = await executeNamed(
    db,
    "labelfleet_ingest_upsert",
    sql`
    with target as (
      select t.id as task_id, t.item_id, a.id as assignment_id, a.status, a.organization_id
      from assignment_tasks t join assignments a on a.id = t.assignment_id
      where a.annotator_id = ${input.annotatorId} and a.ls_project_id = ${c.lsProjectId}
        and t.ls_task_id = ${c.lsTaskId}
      order by a.id desc limit 1
    ), live as (
      select * from target where status not in ('cancelled', 'failed')
    ), event as (
      insert into annotation_events (organization_id, annotator_id, assignment_id, event_key, event_type,
        ls_project_id, ls_task_id, ls_annotation_id, time_spent_ms)
      select organization_id, ${input.annotatorId}, assignment_id, ${input.eventKey}, ${input.eventType},
        ${c.lsProjectId}, ${c.lsTaskId}, ${c.lsAnnotationId},
        ${c.leadTimeSeconds === null ? null : c.leadTimeSeconds * 1000}::real
      from live
      on conflict (event_key) do nothing
      returning id
    ), upserted as (
      insert into annotations as an (organization_id, item_id, assignment_id, annotator_id, ls_annotation_id,
        ls_task_id, ls_project_id, result, lead_time, was_cancelled, ls_created_at, ls_updated_at)
      select organization_id, item_id, assignment_id, ${input.annotatorId}, ${c.lsAnnotationId}, ${c.lsTaskId},
        ${c.lsProjectId}, ${JSON.stringify(c.result)}::jsonb, ${c.leadTimeSeconds}::real, ${c.wasCancelled},
        ${c.lsCreatedAt?.toISOString() ?? null}::timestamptz, ${c.lsUpdatedAt?.toISOString() ?? null}::timestamptz
      from live where exists (select 1 from event)
      on conflict (annotator_id, ls_annotation_id) do update set
        result = excluded.result, lead_time = excluded.lead_time, was_cancelled = excluded.was_cancelled,
        ls_updated_at = excluded.ls_updated_at, updated_at = now()
      where an.ls_updated_at is null or excluded.ls_updated_at is null
        or excluded.ls_updated_at >= an.ls_updated_at
      returning an.id, (an.xmax = 0) as inserted
    ), history as (
      insert into fsm_state_history (id, organization_id, entity_name, entity_id, state, previous_state,
        transition_name, context_data)
      select ${input.historyId}::uuid, live.organization_id, 'annotation', u.id::text, 'CREATED', null, 'create',
        jsonb_build_object('source', ${input.source}::text)
      from upserted u, live where u.inserted
    ), done as (
      update assignment_tasks t set is_done = true, completed_at = now()
      from live where t.id = live.task_id and not t.is_done and exists (select 1 from upserted)
      returning t.assignment_id
    ), progress as (
      update assignments a set completed_count = a.completed_count + 1, updated_at = now()
      from done where a.id = done.assignment_id
      returning a.id, a.completed_count, a.task_count
    ), changed as (
      insert into jobs (name, payload)
      select ${JOB_ANNOTATION_CHANGED}, jsonb_build_object('annotationId', u.id, 'organizationId', live.organization_id,
        'itemId', live.item_id, 'annotatorId', ${input.annotatorId}::int, 'assignmentId', live.assignment_id,
        'kind', case when u.inserted then 'created' else 'updated' end)
      from upserted u, live
    ), completion as (
      insert into jobs (name, payload, singleton_key)
      select ${JOB_ASSIGNMENT_COMPLETE}, jsonb_build_object('assignmentId', p.id), p.id::text
      from progress p where p.completed_count >= p.task_count
      on conflict do nothing
    )
    select (select row_to_json(target) from target) as target,
      exists (select 1 from event) as fresh,
      (select id from upserted) as annotation_id,
      (select inserted from upserted) as inserted`,
  );
  const [row] = (
    result as unknown as {
      rows: {
        target:
          | { assignment_id: number; status: string; item_id: number; organization_id: number }
          | string
          | null;
        fresh: boolean;
        annotation_id: number | string | null;
        inserted: boolean | null;
      }[];
    }
  ).rows;
  const target = typeof row?.target === "string" ? JSON.parse(row.target) : (row?.target ?? null);
  return {
    target: target
      ? {
          assignmentId: Number(target.assignment_id),
          assignmentStatus: String(target.status),
          itemId: Number(target.item_id),
          organizationId: Number(target.organization_id),
        }
      : null,
    isFresh: Boolean(row?.fresh),
    annotation:
      row?.annotation_id === null || row?.annotation_id === undefined
        ? null
        : { id: Number(row.annotation_id), isInserted: Boolean(row.inserted) },
  };
}
