import { and, eq, getTableColumns, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { executePrepared } from "../../db/prepared.js";
import { assignments, assignmentTasks, fsmStateHistory, items, jobs } from "../../db/schema/index.js";
import { uuidv7 } from "../../lib/uuidv7.js";
import { bulkTransitionSql } from "../fsm/transition.js";
import type { ClaimHints } from "./claim-hints.js";

// Statements run on PostgreSQL (`pg`) and PGlite; both return `{ rows }` from execute().
const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;
const ids = (result: unknown) => rowsOf<{ id: number | string }>(result).map((r) => Number(r.id));

export interface ClaimInput {
  workflowId: number;
  annotatorId: number;
  limit: number;
  /** The workflow's annotationsPerItem: an item is held by at most this many annotators. */
  maxHolders: number;
  shuffle: boolean;
  random?: () => number;
  /** Where source-order scans may start (per process); without it every scan starts at the first id. */
  hints?: ClaimHints;
}

/** States in which an item no longer takes annotators (brief: archived and escalated items are out). */
const CLOSED_STATES = sql`('ARCHIVED', 'ESCALATED')`;

/** An item claimed by `claimAndAssignSourceItems`, with the task state it had before the claim. */
export interface ClaimedItem {
  id: number;
  previous: string;
  /** True when the FSM's `assign` moved it (false: already IN_PROGRESS for another holder). */
  moved: boolean;
}

/**
 * Locks and returns up to `limit` regular items of the workflow that still need holders and that this
 * annotator never held. Must run inside the claim transaction, after the annotator row is locked.
 *
 * Candidates are taken level by level of `assigned_count` (0 first, then 1, … below `maxHolders`), so
 * every scan walks the `(workflow_id, assigned_count, id)` index in order and stops after `limit` rows,
 * at 1,000 items as at 1,000,000. `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass each other's
 * rows; PostgreSQL re-checks the level on a row that changed since the statement began, so a row
 * filled by another claimer is never taken past its bound.
 *
 * Two planner traps are shut on purpose. The level is written as a range (`>= L and < L + 1`) and the
 * order as `(assigned_count, id)`: with an equality the planner may prefer walking the primary key and
 * filtering (it cannot know the taken items sit at the start of the id order: 90 ms per claim after
 * 130,000 taken items in a one-workflow database); with the range only the claim index gives that
 * order. And the "never held" check has `offset 0`, which keeps it a per-row probe of the
 * `(annotator_id, item_id)` key instead of an anti-join that reads all of the annotator's tasks.
 *
 * Shuffle is cheap rather than perfect: each level starts at a random id between the level's first
 * and last id and wraps around, and the batch's positions are shuffled afterwards. Batches are thus
 * random slices of the source, in random order, with two index probes instead of a sort of the table.
 *
 * The same statements apply the state half of the FSM's `assign` transition: items in a state
 * `assign` leaves from go to its target state, others (held by another annotator with overlap) keep
 * theirs. One UPDATE per item instead of two (claim, then transition), so one row version and one set
 * of index entries. The history rows of the moved items are written by `insertAssignmentRows`, in the
 * same transaction.
 */
export function claimAndAssignSourceItems(tx: Db, input: ClaimInput): Promise<ClaimedItem[]> {
  return claimRows(tx, input);
}

/** The FSM's `assign` of tasks, in SQL form, applied to the claim's picked rows (`p`). */
const ASSIGN = bulkTransitionSql("task", "assign", sql`p.state`);

async function claimRows(tx: Db, input: ClaimInput): Promise<ClaimedItem[]> {
  const claimed: ClaimedItem[] = [];
  const random = input.random ?? Math.random;
  // The level as a range: see the doc comment (planner traps).
  const atLevel = (level: number, alias: SQL) =>
    sql`${alias}.workflow_id = ${input.workflowId} and ${alias}.assigned_count >= ${level}
      and ${alias}.assigned_count < ${level + 1}`;
  // Items this claim took at a lower level now sit at the next one: they must not be taken twice.
  const taken = () =>
    claimed.length === 0 ? sql`` : sql`and i.id <> all(${arrayLiteral(claimed.map((c) => c.id))}::bigint[])`;
  // One statement per range: (shuffle bounds,) SKIP LOCKED pick, assigned_count + 1 and state change.
  const claimRange = async (level: number, remaining: number, range: SQL, start: SQL) => {
    const rows = rowsOf<{
      start: number | string | null;
      id: number | string | null;
      previous: string | null;
    }>(
      await executePrepared(
        tx,
        sql`with s as (${start}),
        picked as (
          select i.id, i.state from ${items} i
          where ${atLevel(level, sql`i`)} ${range}
            and i.kind <> 'gold' and i.state not in ${CLOSED_STATES} ${taken()}
            and not exists (select 1 from ${assignmentTasks} t
              where t.annotator_id = ${input.annotatorId} and t.item_id = i.id offset 0)
          order by i.assigned_count, i.id
          limit ${remaining}
          for update of i skip locked
        ),
        upd as (
          update ${items} u set assigned_count = u.assigned_count + 1, ${ASSIGN.set}, updated_at = now()
          from picked p where u.id = p.id
          returning u.id, p.state as previous
        )
        select s.start, upd.id, upd.previous from s left join upd on true`,
      ),
    );
    const got = rows
      .filter((r) => r.id !== null)
      .map((r) => ({
        id: Number(r.id),
        previous: String(r.previous),
        moved: ASSIGN.moved(String(r.previous)),
      }))
      .sort((a, b) => a.id - b.id);
    claimed.push(...got);
    const first = rows[0]?.start;
    return { start: first === null || first === undefined ? null : Number(first), got };
  };
  // Ids from `start` on at this level, or (`below`) the ids before it: one scan of the claim index.
  const from = (level: number, start: SQL) => sql`and (i.assigned_count, i.id) >= (${level}, ${start})`;
  const below = (level: number, start: SQL) => sql`and (i.assigned_count, i.id) < (${level}, ${start})`;
  for (let level = 0; level < input.maxHolders && claimed.length < input.limit; level++) {
    if (!input.shuffle) {
      const hint = input.hints?.take(input.workflowId, level, input.limit - claimed.length) ?? 0;
      const none = sql`select null::bigint as start`;
      const first = await claimRange(
        level,
        input.limit - claimed.length,
        from(level, sql`${hint}::bigint`),
        none,
      );
      const wrapped =
        hint > 0 && claimed.length < input.limit
          ? (await claimRange(level, input.limit - claimed.length, below(level, sql`${hint}::bigint`), none))
              .got
          : [];
      // The next claim starts after this one's last id (claim-hints.ts).
      const wrappedLast = wrapped.at(-1);
      const firstLast = first.got.at(-1);
      if (wrappedLast) input.hints?.set(input.workflowId, level, wrappedLast.id + 1);
      else if (firstLast) input.hints?.advance(input.workflowId, level, firstLast.id + 1);
      continue;
    }
    // Start at a random id between the level's first and last id (two index probes), then wrap around.
    const r = random();
    const { start } = await claimRange(
      level,
      input.limit - claimed.length,
      from(level, sql`(select start from s)`),
      sql`select b.lo + floor(${r}::float8 * (b.hi - b.lo + 1))::bigint as start from (select
          (select id from ${items} i where ${atLevel(level, sql`i`)}
            order by i.assigned_count, i.id limit 1) as lo,
          (select id from ${items} i where ${atLevel(level, sql`i`)}
            order by i.assigned_count desc, i.id desc limit 1) as hi) b`,
    );
    if (start === null || claimed.length >= input.limit) continue;
    await claimRange(
      level,
      input.limit - claimed.length,
      below(level, sql`(select start from s)`),
      sql`select ${start}::bigint as start`,
    );
  }
  return claimed;
}

/**
 * Makes sure every gold task of the labeling config has its gold item in the workflow (idempotent:
 * the `(workflow_id, source_key)` key absorbs repeats and concurrent claimers).
 */
export async function ensureGoldItems(
  tx: Db,
  input: { organizationId: number; workflowId: number; labelingConfigId: number },
) {
  await tx.execute(sql`insert into ${items}
      (organization_id, workflow_id, kind, source_key, storage_key, gold_task_id)
    select g.organization_id, ${input.workflowId}, 'gold', 'gold:' || g.id, g.s3_image_key, g.id
    from gold_tasks g
    where g.organization_id = ${input.organizationId} and g.labeling_config_id = ${input.labelingConfigId}
    on conflict (workflow_id, source_key) do nothing`);
}

interface GoldPick {
  workflowId: number;
  annotatorId: number;
  count: number;
}

/**
 * Up to `count` gold items of the workflow this annotator never received, at random (found through
 * the `(workflow_id, source_key)` index, so the cost does not grow with the workflow). Gold items
 * are shared by every annotator, so they are neither locked nor counted in `assigned_count` (a hot
 * row updated by every claim would serialise all claimers); the annotator lock keeps "never twice".
 */
const goldPick = (input: GoldPick) => sql`select i.id from ${items} i
  where i.workflow_id = ${input.workflowId} and i.kind = 'gold' and i.gold_task_id is not null
    -- gold items are keyed 'gold:<id>': this range lets (workflow_id, source_key) find them
    and i.source_key >= 'gold:' and i.source_key < 'gold;'
    and i.state not in ${CLOSED_STATES}
    and not exists (select 1 from ${assignmentTasks} t
      where t.annotator_id = ${input.annotatorId} and t.item_id = i.id)
  order by random()
  limit ${input.count}`;

/** Picks gold items as `goldPick` describes (after `ensureGoldItems`). */
export async function pickGoldItems(tx: Db, input: GoldPick): Promise<number[]> {
  if (input.count <= 0) return [];
  return ids(await tx.execute(goldPick(input)));
}

/**
 * The claim's gold pick: `pickGoldItems` that also tells, in the same statement, whether a gold task of
 * the labeling config has no gold item in the workflow yet. Only then are gold items created
 * (`ensureGoldItems`) and the pick repeated, so a claim does not re-insert every gold item each time.
 */
export async function pickGoldItemsEnsured(
  tx: Db,
  input: GoldPick & { organizationId: number; labelingConfigId: number },
): Promise<number[]> {
  if (input.count <= 0) return [];
  const [row] = rowsOf<{ ids: (number | string)[] | null; missing: boolean }>(
    await tx.execute(sql`select array(${goldPick(input)}) as ids,
      exists (select 1 from gold_tasks g
        where g.organization_id = ${input.organizationId} and g.labeling_config_id = ${input.labelingConfigId}
          and not exists (select 1 from ${items} x
            where x.workflow_id = ${input.workflowId} and x.source_key = 'gold:' || g.id)) as missing`),
  );
  if (!row?.missing) return (row?.ids ?? []).map(Number);
  await ensureGoldItems(tx, input);
  return pickGoldItems(tx, input);
}

/** `{a,b}` array literal of ids or plain tokens (UUIDs, state names): passed as one parameter. */
const arrayLiteral = (values: readonly (number | string)[]) => `{${values.join(",")}}`;

const ASSIGNMENT_COLUMNS = Object.entries(getTableColumns(assignments));
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** The assignment's columns under their property names (built once: the statement's text is fixed). */
const RETURNING = sql.raw(ASSIGNMENT_COLUMNS.map(([key]) => `"${snake(key)}" as "${key}"`).join(", "));

export interface AssignmentRowsInput {
  organizationId: number;
  workflowId: number;
  annotatorId: number;
  /** Item ids in delivery order (positions 0…n-1). */
  order: number[];
  gold: number[];
  /** Items moved by `assign` (history rows), with their previous state. */
  moved: { id: number; previous: string }[];
  triggeredBy: number | null;
  /** The job that delivers the batch: queued in the same statement, payload `{ assignmentId }`. */
  deliveryJob: { name: string; singletonKeyPrefix: string };
}

/**
 * Writes a claimed batch in one statement: the assignment, its tasks (positions in `order`), the
 * assignment's creation history row (FSM `recordCreation`: previous state null, transition `create`,
 * state `pending`), the `assign` history row of every moved item (context `{assignmentId,
 * annotatorId}`) and the delivery job (as `jobs.send` with a singleton key would queue it). History
 * ids are UUIDv7 made here in that order, so the creation sorts first. The text is the same for every
 * batch, so it runs as one prepared statement (all sizes are array parameters).
 */
export async function insertAssignmentRows(tx: Db, input: AssignmentRowsInput) {
  const creationId = uuidv7();
  const historyIds = input.moved.map(() => uuidv7());
  const creationContext = JSON.stringify({
    workflowId: input.workflowId,
    annotatorId: input.annotatorId,
    taskCount: input.order.length,
    goldTaskCount: input.gold.length,
  });
  const [raw] = rowsOf<Record<string, unknown>>(
    await executePrepared(
      tx,
      sql`with a as (
        insert into ${assignments} (organization_id, workflow_id, annotator_id, task_count, gold_task_count)
        values (${input.organizationId}, ${input.workflowId}, ${input.annotatorId}, ${input.order.length},
          ${input.gold.length})
        returning ${RETURNING}
      ),
      t as (
        insert into ${assignmentTasks} (assignment_id, annotator_id, item_id, position, is_gold)
        select a.id, ${input.annotatorId}::integer, u.item_id, (u.ord - 1)::integer, u.item_id = any(${arrayLiteral(input.gold)}::bigint[])
        from a, unnest(${arrayLiteral(input.order)}::bigint[]) with ordinality as u(item_id, ord)
      ),
      h as (
        insert into ${fsmStateHistory} (id, organization_id, entity_name, entity_id, state, previous_state,
          transition_name, triggered_by_id, reason, context_data)
        select ${creationId}::uuid, ${input.organizationId}::integer, 'assignment', a.id::text, 'pending', null, 'create',
          ${input.triggeredBy}::integer, null, ${creationContext}::jsonb
        from a
        union all
        select u.history_id, ${input.organizationId}::integer, 'task', u.item_id::text, ${ASSIGN.to}::text, u.previous,
          ${ASSIGN.name}::text, ${input.triggeredBy}::integer, null,
          jsonb_build_object('assignmentId', a.id, 'annotatorId', ${input.annotatorId}::integer)
        from a, unnest(${arrayLiteral(historyIds)}::uuid[], ${arrayLiteral(input.moved.map((m) => m.id))}::bigint[],
          ${arrayLiteral(input.moved.map((m) => m.previous))}::text[]) as u(history_id, item_id, previous)
      ),
      j as (
        insert into ${jobs} (name, payload, singleton_key)
        select ${input.deliveryJob.name}::text, jsonb_build_object('assignmentId', a.id),
          ${input.deliveryJob.singletonKeyPrefix}::text || a.id
        from a
        on conflict do nothing
      )
      select * from a`,
    ),
  );
  const assignment: Record<string, unknown> = {};
  for (const [key, column] of ASSIGNMENT_COLUMNS) {
    const value = raw![key];
    assignment[key] =
      value === null || value === undefined || value instanceof Date
        ? value
        : column.mapFromDriverValue(value);
  }
  return assignment as typeof assignments.$inferSelect;
}

/**
 * Returns the assignment's unannotated, unreleased items to the pool: marks its tasks released and
 * decrements `assigned_count` of its regular items. Returns the regular item ids that no annotator
 * holds any more (their task state goes back through `release`). Idempotent through `released_at`.
 */
export async function releaseAssignmentItems(tx: Db, assignmentId: number): Promise<number[]> {
  const released = await tx
    .update(assignmentTasks)
    .set({ releasedAt: new Date() })
    .where(
      and(
        eq(assignmentTasks.assignmentId, assignmentId),
        eq(assignmentTasks.isDone, false),
        isNull(assignmentTasks.releasedAt),
        eq(assignmentTasks.isGold, false),
      ),
    )
    .returning({ itemId: assignmentTasks.itemId });
  const itemIds = released.map((r) => r.itemId);
  if (itemIds.length === 0) return [];
  const emptied = await tx
    .update(items)
    .set({ assignedCount: sql`greatest(${items.assignedCount} - 1, 0)`, updatedAt: new Date() })
    .where(inArray(items.id, itemIds))
    .returning({ id: items.id, assignedCount: items.assignedCount });
  // Gold tasks of the assignment are marked released as well, without counts to return.
  await tx
    .update(assignmentTasks)
    .set({ releasedAt: new Date() })
    .where(
      and(
        eq(assignmentTasks.assignmentId, assignmentId),
        eq(assignmentTasks.isDone, false),
        isNull(assignmentTasks.releasedAt),
      ),
    );
  return emptied.filter((r) => r.assignedCount === 0).map((r) => r.id);
}
