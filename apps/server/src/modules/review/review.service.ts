import { and, eq, isNotNull, like, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { annotations, annotators, items, predictions, rejections, workflows } from "../../db/schema/index.js";
import { isAppError } from "../../lib/app-error.js";
import type { Logger } from "../../lib/logger.js";
import type { ObjectStorage } from "../../storage/object-storage.js";
import { type EnqueueAutoAssign, wakeWorkflowAnnotators } from "../completion/chaining.js";
import { tryTransition } from "../completion/try-transition.js";
import { insertEventOnce } from "../ingestion/ingestion.repo.js";
import type { AnnotationChanged } from "../ingestion/ingestion.service.js";
import { assignItemsTo, type Send } from "./direct-assign.js";
import { type ReviewDecision, reviewDecisionOf } from "./review-decision.js";

export interface ReviewDeps {
  db: Db;
  storage: Pick<ObjectStorage, "get" | "put">;
  enqueueAutoAssign: EnqueueAutoAssign;
  send: Send;
  log: Logger;
}

type Workflow = typeof workflows.$inferSelect;
type Annotation = typeof annotations.$inferSelect;
type Item = typeof items.$inferSelect;

/** The review being decided: the reviewer's annotation, what it reviews, and where. */
interface Review {
  review: Annotation;
  workflow: Workflow;
  upstream: Annotation;
  origin: Item;
  decision: ReviewDecision;
}

const prefixOf = (path: string) => {
  const trimmed = path.replace(/^\/+/, "").replace(/\/*$/, "/");
  return trimmed === "/" ? "" : trimmed;
};

/**
 * Review decisions and rejection routing (DESIGN §4 step 5). A `review_decision` result in an item
 * fed by an upstream workflow records accept/reject on the upstream annotation and its item (FSM),
 * counts the reviewer's decision and, on reject, writes a rejection and routes per the reviewing
 * workflow's rejection fields. Each review annotation is decided once (event key `review:<id>`),
 * so a re-run job or a later edit of the review changes nothing.
 */
export function createReviewService(deps: ReviewDeps) {
  const { db, log } = deps;

  async function load(annotationId: number): Promise<Review | null> {
    const [review] = await db.select().from(annotations).where(eq(annotations.id, annotationId));
    if (!review || review.wasCancelled || review.state === "DELETED") return null;
    const decision = reviewDecisionOf(review.result);
    if (!decision) return null;
    const [reviewed] = await db
      .select({ workflow: workflows, sourceAnnotationId: predictions.sourceAnnotationId })
      .from(items)
      .innerJoin(workflows, eq(workflows.id, items.workflowId))
      .innerJoin(predictions, eq(predictions.itemId, items.id))
      .where(
        and(
          eq(items.id, review.itemId),
          isNotNull(predictions.sourceAnnotationId),
          like(predictions.modelVersion, "upstream:%"),
        ),
      )
      .limit(1);
    if (!reviewed?.sourceAnnotationId) return null; // nothing upstream to decide on
    const [upstream] = await db
      .select()
      .from(annotations)
      .where(
        and(
          eq(annotations.id, reviewed.sourceAnnotationId),
          eq(annotations.organizationId, review.organizationId),
        ),
      );
    if (!upstream) return null;
    const [origin] = await db.select().from(items).where(eq(items.id, upstream.itemId));
    if (!origin) return null;
    return { review, workflow: reviewed.workflow, upstream, origin, decision };
  }

  /** Copies the rejected item's object and a JSON record under the archive path. */
  async function archive(r: Review) {
    const prefix = prefixOf(r.workflow.rejectionArchiveBucket ?? `rejections/workflow-${r.workflow.id}/`);
    try {
      const object = await deps.storage.get(r.origin.storageKey);
      await deps.storage.put(`${prefix}${r.origin.storageKey}`, object.body, object.contentType);
    } catch (error) {
      // The source object may be gone; the record below still archives the decision and the result.
      if (!(isAppError(error) && error.code === "NOT_FOUND")) throw error;
    }
    const record = {
      itemId: r.origin.id,
      storageKey: r.origin.storageKey,
      data: r.origin.data,
      annotation: { id: r.upstream.id, annotatorId: r.upstream.annotatorId, result: r.upstream.result },
      review: {
        annotationId: r.review.id,
        reviewerAnnotatorId: r.review.annotatorId,
        reason: r.decision.reason,
      },
    };
    await deps.storage.put(
      `${prefix}rejection-${r.upstream.id}.json`,
      JSON.stringify(record, null, 2),
      "application/json",
    );
  }

  /** A new `rework` item in the target workflow, carrying the rejected result as a prediction. */
  async function createReworkItem(tx: Db, r: Review, target: Workflow, iteration: number) {
    await tx
      .insert(items)
      .values({
        organizationId: target.organizationId,
        workflowId: target.id,
        kind: "rework",
        sourceKey: `rework:${r.upstream.id}`,
        storageKey: r.origin.storageKey,
        data: r.origin.data,
        originItemId: r.origin.id,
        reworkIteration: iteration,
      })
      .onConflictDoNothing();
    const [item] = await tx
      .select({ id: items.id })
      .from(items)
      .where(and(eq(items.workflowId, target.id), eq(items.sourceKey, `rework:${r.upstream.id}`)));
    await tx
      .insert(predictions)
      .values({
        organizationId: target.organizationId,
        itemId: item!.id,
        modelVersion: `rejected:${r.workflow.id}`,
        result: r.upstream.result,
        sourceAnnotationId: r.upstream.id,
      })
      .onConflictDoNothing();
    return item!.id;
  }

  /** Where a rejected item goes; returns the rejection's routing columns. */
  async function route(tx: Db, r: Review, iteration: number) {
    const task = { organizationId: r.origin.organizationId, entity: "task" as const, entityId: r.origin.id };
    const wf = r.workflow;
    if (wf.rejectionMode === "archive") {
      await archive(r);
      await tryTransition(tx, { ...task, transition: "archive", reason: r.decision.reason });
      return { actionTaken: "archive" as const };
    }
    if (wf.rejectionMode !== "route_to_workflow" || wf.rejectionRouteWorkflowId === null) {
      return { actionTaken: "none" as const };
    }
    if (wf.maxReworkIterations !== null && iteration > wf.maxReworkIterations) {
      await tryTransition(tx, {
        ...task,
        transition: "escalate",
        reason: `rejected ${iteration} times (maxReworkIterations ${wf.maxReworkIterations})`,
      });
      return { actionTaken: "escalated" as const };
    }
    const [target] = await tx
      .select()
      .from(workflows)
      .where(
        and(eq(workflows.id, wf.rejectionRouteWorkflowId), eq(workflows.organizationId, wf.organizationId)),
      );
    if (!target) return { actionTaken: "none" as const };
    const reworkItemId = await createReworkItem(tx, r, target, iteration);
    await tryTransition(tx, {
      ...task,
      transition: "rework",
      context: { reworkItemId, targetWorkflowId: target.id },
    });
    let routedToAssignmentId: number | null = null;
    if (wf.rejectionReturnToOriginal) {
      routedToAssignmentId = await assignItemsTo(tx, {
        workflow: target,
        annotatorId: r.upstream.annotatorId,
        itemIds: [reworkItemId],
        send: deps.send,
        context: { rework: true, rejectedAnnotationId: r.upstream.id },
      });
    }
    if (routedToAssignmentId === null) await wakeWorkflowAnnotators(tx, target, deps.enqueueAutoAssign);
    return { actionTaken: "route_to_workflow" as const, routedToWorkflowId: target.id, routedToAssignmentId };
  }

  async function decide(r: Review) {
    const { review, upstream, origin, decision } = r;
    await db.transaction(async (tx) => {
      const fresh = await insertEventOnce(tx, {
        organizationId: review.organizationId,
        annotatorId: review.annotatorId,
        assignmentId: review.assignmentId,
        eventKey: `review:${review.id}`,
        eventType: decision.decision === "accept" ? "review_accepted" : "review_rejected",
        lsProjectId: review.lsProjectId,
        lsTaskId: review.lsTaskId,
        lsAnnotationId: review.lsAnnotationId,
      });
      if (!fresh) return;
      await tx
        .update(annotators)
        .set({ reviewedCount: sql`${annotators.reviewedCount} + 1` })
        .where(eq(annotators.id, review.annotatorId));
      const context = { reviewAnnotationId: review.id, reviewerAnnotatorId: review.annotatorId };
      const base = { organizationId: review.organizationId, reason: decision.reason, context };
      await tryTransition(tx, {
        ...base,
        entity: "annotation",
        entityId: upstream.id,
        transition: decision.decision,
      });
      await tryTransition(tx, {
        ...base,
        entity: "task",
        entityId: origin.id,
        transition: decision.decision,
      });
      if (decision.decision === "accept") return;
      if (r.workflow.rejectionFlagAnnotator) {
        await tx
          .update(annotators)
          .set({ rejectionCount: sql`${annotators.rejectionCount} + 1` })
          .where(eq(annotators.id, upstream.annotatorId));
      }
      const iteration = origin.reworkIteration + 1;
      const routed = await route(tx, r, iteration);
      await tx.insert(rejections).values({
        organizationId: review.organizationId,
        itemId: origin.id,
        annotationId: upstream.id,
        originalAnnotatorId: upstream.annotatorId,
        reviewerAnnotatorId: review.annotatorId,
        reviewerAssignmentId: review.assignmentId,
        originalAssignmentId: upstream.assignmentId,
        workflowId: r.workflow.id,
        imageKey: origin.storageKey,
        reason: decision.reason,
        iteration,
        ...routed,
      });
      log.info({ itemId: origin.id, iteration, action: routed.actionTaken }, "rejection routed");
    });
  }

  return {
    /** `annotation.changed` listener: decides the review carried by the changed annotation, if any. */
    async onAnnotationChanged(event: AnnotationChanged) {
      if (event.kind === "deleted") return;
      const review = await load(event.annotationId);
      if (review) await decide(review);
    },
  };
}
export type ReviewService = ReturnType<typeof createReviewService>;
