import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { annotations, assignmentTasks, items, workflows } from "../../db/schema/index.js";
import { tryTransition } from "./try-transition.js";

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/**
 * Brings one item's bookkeeping in line with its annotations, idempotently (run after every stored
 * annotation change, and by completion before it pushes items on):
 * - `annotated_count` = annotations that are neither DELETED nor skipped (was_cancelled);
 * - the task goes to COMPLETED once that count reaches the workflow's `annotationsPerItem`
 *   (through `assign` first when it sits in CREATED or REWORK) — the rule the FSM backfill derives;
 * - a COMPLETED task with fewer live annotations than that (one deleted or skipped in LS after
 *   completion) goes back to IN_PROGRESS (`uncomplete`);
 * - an item nobody works on any more and that has no live annotation goes back to CREATED (`release`),
 *   which is what a skip leads to (see `releaseSkippedTask`).
 * These are the states the FSM backfill derives from the same facts (`deriveTaskState`).
 * The item row is locked for the duration, so concurrent runs for one item serialise.
 */
export async function syncItemProgress(db: Db, itemId: number) {
  return db.transaction(async (tx) => {
    const [item] = await tx
      .select({
        id: items.id,
        organizationId: items.organizationId,
        state: items.state,
        annotatedCount: items.annotatedCount,
        required: workflows.annotationsPerItem,
      })
      .from(items)
      .innerJoin(workflows, eq(workflows.id, items.workflowId))
      .where(eq(items.id, itemId))
      .for("update", { of: items });
    if (!item) return null;
    const [counts] = rowsOf<{ live: number | string; holds: number | string }>(
      await tx.execute(sql`select
        (select count(*) from ${annotations} an
          where an.item_id = ${itemId} and an.state <> 'DELETED' and not an.was_cancelled) as live,
        (select count(*) from ${assignmentTasks} t join assignments a on a.id = t.assignment_id
          where t.item_id = ${itemId} and a.status in ('pending', 'in_progress')
            and not t.is_done and t.released_at is null) as holds`),
    );
    const live = Number(counts?.live ?? 0);
    const holds = Number(counts?.holds ?? 0);
    if (live !== item.annotatedCount) {
      await tx.update(items).set({ annotatedCount: live, updatedAt: new Date() }).where(eq(items.id, itemId));
    }
    const base = { organizationId: item.organizationId, entity: "task" as const, entityId: itemId };
    let state: string = item.state;
    if (live >= Math.max(item.required, 1)) {
      if (state === "CREATED" || state === "REWORK") {
        state =
          (await tryTransition(tx, { ...base, transition: "assign", expectedState: state }))?.state ?? state;
      }
      if (state === "IN_PROGRESS") {
        const done = await tryTransition(tx, {
          ...base,
          transition: "complete",
          expectedState: "IN_PROGRESS",
          context: { annotatedCount: live },
        });
        state = done?.state ?? state;
      }
    } else {
      if (state === "COMPLETED") {
        // Fewer live annotations than required (one was deleted or skipped after completion).
        const reopened = await tryTransition(tx, {
          ...base,
          transition: "uncomplete",
          expectedState: "COMPLETED",
          reason: "fewer live annotations than annotationsPerItem",
          context: { annotatedCount: live },
        });
        state = reopened?.state ?? state;
      }
      if (live === 0 && holds === 0 && state === "IN_PROGRESS") {
        const released = await tryTransition(tx, {
          ...base,
          transition: "release",
          expectedState: "IN_PROGRESS",
          reason: "no annotator holds the item any more",
        });
        state = released?.state ?? state;
      }
    }
    return { state, annotatedCount: live };
  });
}

/**
 * A skipped task (LS `was_cancelled`) counts as done for its assignment but gives the item back: the
 * annotator's claim stops counting (`released_at`, `assigned_count - 1`), so another annotator can
 * take it; the skipping annotator never gets it again (claims exclude anything once held). Idempotent
 * through `released_at`. Gold items are shared and never counted, so only their task is marked.
 */
export async function releaseSkippedTask(db: Db, assignmentId: number, itemId: number) {
  return db.transaction(async (tx) => {
    const released = await tx
      .update(assignmentTasks)
      .set({ releasedAt: new Date() })
      .where(
        and(
          eq(assignmentTasks.assignmentId, assignmentId),
          eq(assignmentTasks.itemId, itemId),
          sql`${assignmentTasks.releasedAt} is null`,
        ),
      )
      .returning({ isGold: assignmentTasks.isGold });
    if (released.length === 0 || released[0]!.isGold) return false;
    await tx
      .update(items)
      .set({ assignedCount: sql`greatest(${items.assignedCount} - 1, 0)`, updatedAt: new Date() })
      .where(eq(items.id, itemId));
    return true;
  });
}
