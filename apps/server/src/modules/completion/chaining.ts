import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { annotators, items, predictions, workflows } from "../../db/schema/index.js";
import { applyTransitionMany } from "../fsm/transition.js";

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/** model_version of an upstream annotation shown to reviewers as a prediction. */
export const upstreamModelVersion = (workflowId: number) => `upstream:${workflowId}`;
/** source_key of the downstream item made from one upstream annotation (re-runs find it again). */
export const upstreamSourceKey = (annotationId: number) => `upstream:${annotationId}`;

export type EnqueueAutoAssign = (organizationId: number, annotatorId: number, tx?: Db) => Promise<unknown>;

/**
 * Queues auto-assign for the active annotators of a workflow's role, so new items (pushed from
 * upstream, or routed rework) reach someone without waiting for an annotator's next activation.
 * Auto-assign itself gives nothing to an annotator that still has an open batch there.
 */
export async function wakeWorkflowAnnotators(
  tx: Db,
  workflow: {
    id: number;
    organizationId: number;
    roleId: number | null;
    autoAssign: boolean;
    isActive: boolean;
  },
  enqueueAutoAssign: EnqueueAutoAssign,
) {
  if (!workflow.autoAssign || !workflow.isActive || workflow.roleId === null) return 0;
  const active = await tx
    .select({ id: annotators.id })
    .from(annotators)
    .where(
      and(
        eq(annotators.organizationId, workflow.organizationId),
        eq(annotators.roleId, workflow.roleId),
        eq(annotators.status, "active"),
      ),
    );
  for (const annotator of active) await enqueueAutoAssign(workflow.organizationId, annotator.id, tx);
  return active.length;
}

/**
 * Pushes a completed assignment's annotated items to every downstream workflow (DESIGN §4 step 5):
 * one item of kind `upstream` per live annotation (gold and skipped ones excluded), keyed by the
 * annotation so a re-run adds nothing, with the annotation stored as a prediction
 * (`upstream:<workflowId>`) that delivery imports into the review task. The upstream items that are
 * COMPLETED move to IN_REVIEW. Returns the downstream workflows that received items.
 */
export async function pushDownstream(
  tx: Db,
  assignment: { id: number; organizationId: number; workflowId: number },
  enqueueAutoAssign: EnqueueAutoAssign,
) {
  const downstream = await tx
    .select()
    .from(workflows)
    .where(
      and(
        eq(workflows.organizationId, assignment.organizationId),
        eq(workflows.previousWorkflowId, assignment.workflowId),
      ),
    );
  if (downstream.length === 0) return [];
  const liveAnnotations = sql`from annotations an join ${items} i on i.id = an.item_id
    where an.assignment_id = ${assignment.id} and an.state <> 'DELETED' and not an.was_cancelled
      and i.kind <> 'gold'`;
  for (const workflow of downstream) {
    await tx.execute(sql`insert into ${items}
        (organization_id, workflow_id, kind, source_key, storage_key, data, origin_item_id, rework_iteration)
      select an.organization_id, ${workflow.id}, 'upstream', 'upstream:' || an.id, i.storage_key, i.data, i.id,
        i.rework_iteration
      ${liveAnnotations}
      order by an.id
      on conflict (workflow_id, source_key) do nothing`);
    await tx.execute(sql`insert into ${predictions}
        (organization_id, item_id, model_version, result, source_annotation_id)
      select an.organization_id, d.id, ${upstreamModelVersion(assignment.workflowId)}, an.result, an.id
      from annotations an join ${items} i on i.id = an.item_id
        join ${items} d on d.workflow_id = ${workflow.id} and d.source_key = 'upstream:' || an.id
      where an.assignment_id = ${assignment.id} and an.state <> 'DELETED' and not an.was_cancelled
        and i.kind <> 'gold'
      on conflict (item_id, model_version) do nothing`);
    await wakeWorkflowAnnotators(tx, workflow, enqueueAutoAssign);
  }
  const origins = rowsOf<{ id: number | string }>(
    await tx.execute(sql`select distinct i.id ${liveAnnotations} and i.state = 'COMPLETED'`),
  ).map((r) => Number(r.id));
  await applyTransitionMany(tx, {
    organizationId: assignment.organizationId,
    entity: "task",
    entityIds: origins,
    transition: "send_to_review",
    context: { assignmentId: assignment.id, downstream: downstream.map((w) => w.id) },
  });
  return downstream.map((w) => w.id);
}
