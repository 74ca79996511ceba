import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { annotators, assignments, assignmentTasks, items } from "../../db/schema/index.js";
import type { SendOptions } from "../../jobs/queue.js";
import { DELIVER_JOB, DELIVER_SINGLETON_PREFIX } from "../assignments/delivery.js";
import { tryTransition } from "../completion/try-transition.js";
import { applyTransitionMany, recordCreation } from "../fsm/transition.js";

export type Send = (name: string, payload: unknown, options?: SendOptions, tx?: Db) => Promise<unknown>;

/**
 * Gives specific items to one annotator as a new assignment inside `tx` (rework routed back to its
 * original annotator): the same records a claim writes (assignment, tasks, `assigned_count`, FSM
 * creation and `assign`, the delivery job), without the claim's pool rules, since routing decided
 * who gets the items. Returns null, leaving the items in the pool, when the annotator is not active.
 */
export async function assignItemsTo(
  tx: Db,
  input: {
    workflow: { id: number; organizationId: number; state: string };
    annotatorId: number;
    itemIds: number[];
    send: Send;
    context?: Record<string, unknown>;
  },
) {
  const { workflow, annotatorId, itemIds } = input;
  const [annotator] = await tx
    .select({ status: annotators.status })
    .from(annotators)
    .where(and(eq(annotators.organizationId, workflow.organizationId), eq(annotators.id, annotatorId)))
    .for("no key update");
  if (annotator?.status !== "active" || itemIds.length === 0) return null;
  const [assignment] = await tx
    .insert(assignments)
    .values({
      organizationId: workflow.organizationId,
      workflowId: workflow.id,
      annotatorId,
      taskCount: itemIds.length,
    })
    .returning({ id: assignments.id });
  const assignmentId = assignment!.id;
  await tx
    .insert(assignmentTasks)
    .values(itemIds.map((itemId, position) => ({ assignmentId, annotatorId, itemId, position })));
  await tx
    .update(items)
    .set({ assignedCount: sql`${items.assignedCount} + 1`, updatedAt: new Date() })
    .where(inArray(items.id, itemIds));
  await recordCreation(tx, {
    organizationId: workflow.organizationId,
    entity: "assignment",
    entityId: assignmentId,
    state: "pending",
    context: { workflowId: workflow.id, annotatorId, taskCount: itemIds.length, ...input.context },
  });
  await applyTransitionMany(tx, {
    organizationId: workflow.organizationId,
    entity: "task",
    entityIds: itemIds,
    transition: "assign",
    context: { assignmentId, annotatorId },
  });
  if (workflow.state === "CREATED") {
    await tryTransition(tx, {
      organizationId: workflow.organizationId,
      entity: "workflow",
      entityId: workflow.id,
      transition: "start",
      expectedState: "CREATED",
      context: { reason: "first assignment" },
    });
  }
  await input.send(
    DELIVER_JOB,
    { assignmentId },
    { singletonKey: `${DELIVER_SINGLETON_PREFIX}${assignmentId}` },
    tx,
  );
  return assignmentId;
}
