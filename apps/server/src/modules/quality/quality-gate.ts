import { and, desc, eq, gt, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client.js";
import { containerEvents, fsmStateHistory, goldResults, workflows } from "../../db/schema/index.js";
import { AppError, found, isAppError } from "../../lib/app-error.js";
import type { FsmService } from "../fsm/fsm.service.js";
import type { SettingsService } from "../settings/settings.service.js";

export const ACCURACY_THRESHOLD_KEY = "quality.accuracyThreshold";
export const DEFAULT_ACCURACY_THRESHOLD = 0.7;

/** A workflow's quality rules (`workflows.quality_gate`); at least one of the two rules is set. */
export const QualityGate = z
  .strictObject({
    minEvaluations: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe("Gold evaluations (in this workflow, since the last resume) before the gate judges"),
    threshold: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(`Accuracy below which the annotator is paused (default: setting ${ACCURACY_THRESHOLD_KEY})`),
    onboardingGoldTasks: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .optional()
      .describe("The first K tasks a new annotator receives in this workflow are gold only"),
  })
  .refine((g) => g.minEvaluations !== undefined || (g.onboardingGoldTasks ?? 0) > 0, {
    message: "Set minEvaluations and/or onboardingGoldTasks",
  });
export type QualityGate = z.infer<typeof QualityGate>;

/** The stored gate, or null when none (or a value that no longer parses) is set. */
export function gateOf(stored: unknown): QualityGate | null {
  if (stored === null || stored === undefined) return null;
  const parsed = QualityGate.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/** The organization's accuracy threshold (setting `quality.accuracyThreshold`, default 0.7). */
export async function accuracyThresholdOf(settings: SettingsService, organizationId: number) {
  const stored = await settings.valueOf<unknown>(organizationId, ACCURACY_THRESHOLD_KEY, null);
  // A number, or a numeric string; anything else (unset, null, out of range) is the default.
  const value = typeof stored === "number" || typeof stored === "string" ? Number(stored) : Number.NaN;
  return stored !== "" && Number.isFinite(value) && value >= 0 && value <= 1
    ? value
    : DEFAULT_ACCURACY_THRESHOLD;
}

export interface GateDecision {
  evaluations: number;
  accuracy: number | null;
  threshold: number;
  paused: boolean;
}

/**
 * The quality gate (what LS Enterprise offers): after `minEvaluations` gold evaluations in a workflow,
 * an annotator whose accuracy is below the threshold is paused through the FSM (`pause`, so no new
 * batch is claimed) with a `quality_gate_paused` container event. Resuming is the manual `resume`
 * transition; evaluations before the last resume no longer count, so a resumed annotator gets a
 * fresh window instead of being paused again by the next score.
 */
export function createQualityGate(deps: {
  db: Db;
  fsm: Pick<FsmService, "transition">;
  settings: SettingsService;
}) {
  const { db, fsm, settings } = deps;

  async function lastResumeOf(organizationId: number, annotatorId: number) {
    const [row] = await db
      .select({ at: fsmStateHistory.createdAt })
      .from(fsmStateHistory)
      .where(
        and(
          eq(fsmStateHistory.organizationId, organizationId),
          eq(fsmStateHistory.entityName, "annotator"),
          eq(fsmStateHistory.entityId, String(annotatorId)),
          eq(fsmStateHistory.transitionName, "resume"),
        ),
      )
      .orderBy(desc(fsmStateHistory.id))
      .limit(1);
    return row?.at ?? null;
  }

  async function pause(organizationId: number, annotatorId: number, workflowId: number, d: GateDecision) {
    const message = `Quality gate of workflow ${workflowId}: accuracy ${d.accuracy?.toFixed(3)} over ${d.evaluations} gold evaluations is below ${d.threshold}`;
    try {
      await db.transaction(async (tx) => {
        await fsm.transition(
          {
            organizationId,
            entity: "annotator",
            entityId: annotatorId,
            transition: "pause",
            expectedState: "active",
            reason: message,
            context: { source: "quality_gate", workflowId, ...d },
          },
          tx as Db,
        );
        await tx.insert(containerEvents).values({
          organizationId,
          annotatorId,
          eventType: "quality_gate_paused",
          message,
          details: { workflowId, evaluations: d.evaluations, accuracy: d.accuracy, threshold: d.threshold },
        });
      });
      return true;
    } catch (error) {
      // Not active any more (already paused by a concurrent score, stopped, ...): nothing to pause.
      if (isAppError(error) && error.code === "CONFLICT") return false;
      throw error;
    }
  }

  return {
    /** Judges the annotator in the workflow after a new gold score; pauses when the gate says so. */
    async check(
      organizationId: number,
      annotatorId: number,
      workflowId: number,
    ): Promise<GateDecision | null> {
      const [workflow] = await db
        .select({ gate: workflows.qualityGate })
        .from(workflows)
        .where(and(eq(workflows.organizationId, organizationId), eq(workflows.id, workflowId)));
      const gate = gateOf(workflow?.gate);
      if (!gate?.minEvaluations) return null;
      const since = await lastResumeOf(organizationId, annotatorId);
      const [stats] = await db
        .select({ n: sql<number>`count(*)`, avg: sql<number | null>`avg(${goldResults.score})` })
        .from(goldResults)
        .where(
          and(
            eq(goldResults.workflowId, workflowId),
            eq(goldResults.annotatorId, annotatorId),
            since ? gt(goldResults.evaluatedAt, since) : undefined,
          ),
        );
      const evaluations = Number(stats?.n ?? 0);
      const accuracy = stats?.avg === null || stats?.avg === undefined ? null : Number(stats.avg);
      const threshold = gate.threshold ?? (await accuracyThresholdOf(settings, organizationId));
      const decision: GateDecision = { evaluations, accuracy, threshold, paused: false };
      if (evaluations < gate.minEvaluations || accuracy === null || accuracy >= threshold) return decision;
      decision.paused = await pause(organizationId, annotatorId, workflowId, decision);
      return decision;
    },

    /** The workflow's gate (null when none). */
    async get(organizationId: number, workflowId: number) {
      const [row] = await db
        .select({ gate: workflows.qualityGate })
        .from(workflows)
        .where(and(eq(workflows.organizationId, organizationId), eq(workflows.id, workflowId)));
      return gateOf(found(row, "Workflow").gate);
    },

    /** Sets (or with null clears) the workflow's gate. */
    async set(organizationId: number, workflowId: number, gate: QualityGate | null) {
      const rows = await db
        .update(workflows)
        .set({ qualityGate: gate, updatedAt: new Date() })
        .where(and(eq(workflows.organizationId, organizationId), eq(workflows.id, workflowId)))
        .returning({ id: workflows.id });
      if (rows.length === 0) throw new AppError("NOT_FOUND", "Workflow not found");
      return gate;
    },
  };
}
export type QualityGateService = ReturnType<typeof createQualityGate>;
