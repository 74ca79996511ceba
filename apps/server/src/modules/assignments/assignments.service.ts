import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client.js";
import { annotators, assignments, workflows } from "../../db/schema/index.js";
import { defineJob } from "../../jobs/catalog.js";
import type { SendOptions } from "../../jobs/queue.js";
import { AppError, found, isAppError } from "../../lib/app-error.js";
import type { Logger } from "../../lib/logger.js";
import { applyTransition } from "../fsm/transition.js";
import { claimOnboardingGold } from "../quality/onboarding.js";
import { claimAndAssignSourceItems, insertAssignmentRows, pickGoldItemsEnsured } from "./claim.repo.js";
import { createClaimHints } from "./claim-hints.js";
import { DELIVER_JOB, DELIVER_SINGLETON_PREFIX, REMOVE_LS_TASKS_JOB, returnItems } from "./delivery.js";

export const AUTO_ASSIGN_JOB = "assignment.auto-assign";

export interface JobSender {
  send(name: string, payload: unknown, options?: SendOptions, tx?: Db): Promise<number | null>;
  /** Wakes this process's worker after jobs were queued by SQL (the claim queues its delivery). */
  kick?(): void;
}

export interface AssignmentServiceDeps {
  db: Db;
  jobs: JobSender;
  log: Logger;
  random?: () => number;
}

export interface AssignOptions {
  /** Member who asked; null/undefined = the system (auto-assign). */
  triggeredBy?: number | null;
  /**
   * Auto-assign: respects `maxProjects` and gives nothing while the annotator still has an open batch
   * in the workflow; "nothing left" is a quiet null instead of a 409.
   */
  auto?: boolean;
}

type Workflow = typeof workflows.$inferSelect;

/** Fisher–Yates in place. */
function shuffle<T>(values: T[], random: () => number): T[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}

/** Gold items go to random positions; regular items keep their (already shuffled or source) order. */
function arrange(regular: number[], gold: number[], isShuffled: boolean, random: () => number) {
  if (isShuffled) return shuffle([...regular, ...gold], random);
  const order = [...regular];
  for (const g of gold) order.splice(Math.floor(random() * (order.length + 1)), 0, g);
  return order;
}

/**
 * Assignment of batches to annotators (DESIGN §4 step 2) and their cancellation. A claim is one
 * transaction: the annotator row is locked first (claims of one annotator serialise, which keeps
 * "never twice to one annotator" and `maxProjects` exact), items are taken with SKIP LOCKED (claims of
 * different annotators run in parallel and never exceed `annotationsPerItem`).
 */
export function createAssignmentService({ db, jobs, log, random = Math.random }: AssignmentServiceDeps) {
  // Where this process's source-order claims start scanning (claim-hints.ts).
  const hints = createClaimHints();
  async function getWorkflow(organizationId: number, workflowId: number) {
    const [row] = await db
      .select()
      .from(workflows)
      .where(and(eq(workflows.organizationId, organizationId), eq(workflows.id, workflowId)));
    return found(row, "Workflow");
  }

  async function claim(tx: Db, workflow: Workflow, annotatorId: number, options: AssignOptions) {
    const [annotator] = await tx
      .select({ id: annotators.id, status: annotators.status, roleId: annotators.roleId })
      .from(annotators)
      .where(and(eq(annotators.organizationId, workflow.organizationId), eq(annotators.id, annotatorId)))
      .for("no key update");
    if (!annotator || annotator.status === "deleted") throw new AppError("NOT_FOUND", "Annotator not found");
    if (annotator.status !== "active") {
      throw new AppError("BAD_REQUEST", `Annotator is not active (status: ${annotator.status})`);
    }
    if (workflow.roleId !== null && annotator.roleId !== workflow.roleId) {
      throw new AppError("BAD_REQUEST", "Annotator is not in the workflow's role");
    }
    if (options.auto) {
      const [held] = await tx
        .select({
          open: sql<number>`count(*) filter (where ${assignments.status} in ('pending', 'in_progress'))`,
          counted: sql<number>`count(*) filter (where ${assignments.status} <> 'cancelled')`,
        })
        .from(assignments)
        .where(and(eq(assignments.workflowId, workflow.id), eq(assignments.annotatorId, annotatorId)));
      if (Number(held?.open ?? 0) > 0) return null;
      if (workflow.maxProjects !== null && Number(held?.counted ?? 0) >= workflow.maxProjects) return null;
    }

    // Quality-gate onboarding: a new annotator's first tasks in the workflow are gold only.
    const onboardingGold = await claimOnboardingGold(tx, workflow, annotatorId);
    const claimed =
      onboardingGold.length > 0
        ? []
        : await claimAndAssignSourceItems(tx, {
            workflowId: workflow.id,
            annotatorId,
            limit: workflow.imagesPerProject,
            maxHolders: workflow.annotationsPerItem,
            shuffle: workflow.shuffleImages,
            random,
            hints,
          });
    const regular = claimed.map((item) => item.id);
    if (regular.length === 0 && onboardingGold.length === 0) {
      if (options.auto) return null;
      throw new AppError("CONFLICT", "No images available for assignment");
    }
    let gold: number[] = onboardingGold;
    if (onboardingGold.length === 0 && workflow.goldStandardRate > 0 && workflow.labelingConfigId !== null) {
      // Gold items are created only when a gold task of the config has none yet (same statement).
      gold = await pickGoldItemsEnsured(tx, {
        organizationId: workflow.organizationId,
        workflowId: workflow.id,
        labelingConfigId: workflow.labelingConfigId,
        annotatorId,
        count: Math.ceil(regular.length * workflow.goldStandardRate),
      });
    }
    const order = arrange(regular, gold, workflow.shuffleImages, random);

    // One statement: assignment, tasks, the assignment's creation history (FSM `recordCreation`), the
    // `assign` history of the items the claim moved (with overlap an item may already be IN_PROGRESS
    // for another annotator: it is skipped, not an error, as in `applyTransitionMany`) and the
    // delivery job.
    const assignment = await insertAssignmentRows(tx, {
      organizationId: workflow.organizationId,
      workflowId: workflow.id,
      annotatorId,
      order,
      gold,
      moved: claimed.filter((item) => item.moved),
      triggeredBy: options.triggeredBy ?? null,
      deliveryJob: { name: DELIVER_JOB, singletonKeyPrefix: DELIVER_SINGLETON_PREFIX },
    });
    return assignment;
  }

  /** The workflow's first batch moves it from CREATED to IN_PROGRESS (whoever gets there first). */
  async function markWorkflowStarted(workflow: Workflow) {
    if (workflow.state !== "CREATED") return;
    try {
      await applyTransition(db, {
        organizationId: workflow.organizationId,
        entity: "workflow",
        entityId: workflow.id,
        transition: "start",
        expectedState: "CREATED",
        context: { reason: "first assignment" },
      });
    } catch (error) {
      if (!(isAppError(error) && error.code === "CONFLICT")) throw error;
    }
  }

  async function assignTo(workflow: Workflow, annotatorId: number, options: AssignOptions) {
    if (!workflow.isActive || workflow.state === "PAUSED" || workflow.state === "COMPLETED") {
      if (options.auto) return null;
      throw new AppError(
        "CONFLICT",
        `Workflow is not accepting assignments (${workflow.state}, isActive ${workflow.isActive})`,
      );
    }
    if (workflow.labelingConfigId === null) {
      if (options.auto) return null;
      throw new AppError("CONFLICT", "Workflow has no labeling config to deliver with");
    }
    const assignment = await db.transaction((tx) => claim(tx, workflow, annotatorId, options));
    if (assignment) {
      jobs.kick?.();
      await markWorkflowStarted(workflow);
    }
    return assignment;
  }

  async function autoAssign(organizationId: number, annotatorId: number) {
    const [annotator] = await db
      .select({ status: annotators.status, roleId: annotators.roleId })
      .from(annotators)
      .where(and(eq(annotators.organizationId, organizationId), eq(annotators.id, annotatorId)));
    if (annotator?.status !== "active" || annotator.roleId === null) return [];
    const candidates = await db
      .select()
      .from(workflows)
      .where(
        and(
          eq(workflows.organizationId, organizationId),
          eq(workflows.roleId, annotator.roleId),
          eq(workflows.autoAssign, true),
          eq(workflows.isActive, true),
          inArray(workflows.state, ["CREATED", "IN_PROGRESS"]),
        ),
      )
      .orderBy(asc(workflows.id));
    const created: (typeof assignments.$inferSelect)[] = [];
    for (const workflow of candidates) {
      try {
        const assignment = await assignTo(workflow, annotatorId, { auto: true });
        if (assignment) created.push(assignment);
      } catch (error) {
        // The annotator may have stopped or changed role meanwhile: later workflows would refuse too.
        if (isAppError(error) && (error.code === "BAD_REQUEST" || error.code === "NOT_FOUND")) break;
        throw error;
      }
    }
    if (created.length > 0) log.info({ annotatorId, assignments: created.map((a) => a.id) }, "auto-assigned");
    return created;
  }

  return {
    /**
     * Claims a batch of the workflow for the annotator and queues its delivery. Throws NOT_FOUND
     * (workflow or annotator), BAD_REQUEST (annotator not active or not in the workflow's role),
     * CONFLICT (nothing left, workflow paused or without labeling config). With `auto`, returns null
     * instead of a batch the rules do not allow.
     */
    async assign(
      organizationId: number,
      workflowId: number,
      annotatorId: number,
      options: AssignOptions = {},
    ) {
      return assignTo(await getWorkflow(organizationId, workflowId), annotatorId, options);
    },

    /**
     * Auto-assign (DESIGN §4 step 2): for every active auto-assign workflow of the annotator's role,
     * claims a batch unless the annotator has an open one there or reached `maxProjects`. Called when an
     * annotator becomes active and after each completed batch. Returns the assignments created.
     */
    autoAssign,

    /** Queues auto-assign for the annotator (in `tx` when given, so it commits with the caller). */
    enqueueAutoAssign(organizationId: number, annotatorId: number, tx?: Db) {
      return jobs.send(AUTO_ASSIGN_JOB, { organizationId, annotatorId }, {}, tx);
    },

    /**
     * Cancels a pending or in-progress assignment through the FSM (`cancel`; 409 with the current state
     * otherwise), returns its unannotated items to the pool and queues the removal of their LS tasks.
     */
    async cancel(organizationId: number, assignmentId: number, triggeredBy?: number | null) {
      await db.transaction(async (tx) => {
        try {
          await applyTransition(tx, {
            organizationId,
            entity: "assignment",
            entityId: assignmentId,
            transition: "cancel",
            triggeredBy: triggeredBy ?? null,
          });
        } catch (error) {
          if (isAppError(error) && error.code === "NOT_FOUND")
            throw new AppError("NOT_FOUND", "Assignment not found");
          if (isAppError(error) && error.code === "CONFLICT") {
            throw new AppError(
              "CONFLICT",
              `Cannot cancel assignment with status ${String(error.extra?.current_state)}`,
              undefined,
              error.extra,
            );
          }
          throw error;
        }
        await returnItems(tx, organizationId, assignmentId, "assignment cancelled");
        await jobs.send(REMOVE_LS_TASKS_JOB, { assignmentId }, {}, tx);
      });
    },

    /** The auto-assign job, for the catalog. */
    jobs: [
      defineJob({
        name: AUTO_ASSIGN_JOB,
        payload: z.object({ organizationId: z.number().int(), annotatorId: z.number().int() }),
        maxAttempts: 3,
        async handler({ organizationId, annotatorId }) {
          await autoAssign(organizationId, annotatorId);
        },
      }),
    ],
  };
}
export type AssignmentService = ReturnType<typeof createAssignmentService>;
