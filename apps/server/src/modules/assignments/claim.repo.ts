import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { assignmentTasks, items } from "../../db/schema/index.js";

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
}

/** States in which an item no longer takes annotators (brief: archived and escalated items are out). */
const CLOSED_STATES = sql`('ARCHIVED', 'ESCALATED')`;

/**
 * Locks and returns up to `limit` regular items of the workflow that still need holders and that this
 * annotator never held. Must run inside the claim transaction, after the annotator row is locked.
 *
 * Candidates are taken level by level of `assigned_count` (0 first, then 1, … below `maxHolders`), so
 * every scan walks the `(workflow_id, assigned_count, id)` index in order and stops after `limit` rows,
 * at 1,000 items as at 1,000,000. `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass each other's
 * rows; PostgreSQL re-checks `assigned_count = level` on a row that changed since the statement began,
 * so a row filled by another claimer is never taken past its bound.
 *
 * Shuffle is cheap rather than perfect: each level starts at a random id between the level's first
 * and last id and wraps around, and the batch's positions are shuffled afterwards. Batches are thus
 * random slices of the source, in random order, with two index probes instead of a sort of the table.
 */
export async function claimSourceItems(tx: Db, input: ClaimInput): Promise<number[]> {
  const claimed: number[] = [];
  const random = input.random ?? Math.random;
  for (let level = 0; level < input.maxHolders && claimed.length < input.limit; level++) {
    let start: number | null = null;
    if (input.shuffle) {
      const [bounds] = rowsOf<{ lo: number | string | null; hi: number | string | null }>(
        await tx.execute(sql`select
          (select id from ${items} where workflow_id = ${input.workflowId} and assigned_count = ${level}
            order by id limit 1) as lo,
          (select id from ${items} where workflow_id = ${input.workflowId} and assigned_count = ${level}
            order by id desc limit 1) as hi`),
      );
      if (bounds?.lo === null || bounds?.lo === undefined) continue;
      const lo = Number(bounds.lo);
      const hi = Number(bounds.hi);
      start = lo + Math.floor(random() * (hi - lo + 1));
    }
    const ranges = start === null ? [sql``] : [sql`and i.id >= ${start}`, sql`and i.id < ${start}`];
    for (const range of ranges) {
      const remaining = input.limit - claimed.length;
      if (remaining <= 0) break;
      claimed.push(
        ...ids(
          await tx.execute(sql`select i.id from ${items} i
            where i.workflow_id = ${input.workflowId} and i.assigned_count = ${level}
              and i.kind <> 'gold' and i.state not in ${CLOSED_STATES} ${range}
              and not exists (select 1 from ${assignmentTasks} t
                where t.annotator_id = ${input.annotatorId} and t.item_id = i.id)
            order by i.id
            limit ${remaining}
            for update of i skip locked`),
        ),
      );
    }
  }
  if (claimed.length > 0) {
    await tx
      .update(items)
      .set({ assignedCount: sql`${items.assignedCount} + 1`, updatedAt: new Date() })
      .where(inArray(items.id, claimed));
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

/**
 * Picks up to `count` gold items of the workflow this annotator never received, at random (found through
 * the `(workflow_id, source_key)` index, so the cost does not grow with the workflow). Gold items
 * are shared by every annotator, so they are neither locked nor counted in `assigned_count` (a hot
 * row updated by every claim would serialise all claimers); the annotator lock keeps "never twice".
 */
export async function pickGoldItems(
  tx: Db,
  input: { workflowId: number; annotatorId: number; count: number },
): Promise<number[]> {
  if (input.count <= 0) return [];
  return ids(
    await tx.execute(sql`select i.id from ${items} i
      where i.workflow_id = ${input.workflowId} and i.kind = 'gold' and i.gold_task_id is not null
        -- gold items are keyed 'gold:<id>': this range lets (workflow_id, source_key) find them
        and i.source_key >= 'gold:' and i.source_key < 'gold;'
        and i.state not in ${CLOSED_STATES}
        and not exists (select 1 from ${assignmentTasks} t
          where t.annotator_id = ${input.annotatorId} and t.item_id = i.id)
      order by random()
      limit ${input.count}`),
  );
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
