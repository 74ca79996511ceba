import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import {
  agreementDimensions,
  annotations,
  goldResults,
  goldTasks,
  items,
  labelingConfigs,
} from "../../db/schema/index.js";
import { type ParsedLabelConfig, parseLabelConfig } from "../../labelstudio/label-config.js";
import { isAppError } from "../../lib/app-error.js";
import { type DimensionConfig, evaluateAgreement } from "../agreement/evaluate.js";

export interface GoldScore {
  score: number;
  dimensionScores: Record<string, number | null>;
}

/**
 * Scores one annotation against a gold task's expected labels with the agreement engine: the two are
 * a pair of participants, so the score is the engine's pair score over the config's dimensions (the
 * workflow's dimension settings when it has some). A skipped annotation, or one with nothing
 * comparable, scores 0: skipping gold must not be a way around it. Pure.
 */
export function scoreAgainstGold(input: {
  config: ParsedLabelConfig;
  expected: readonly unknown[];
  result: readonly unknown[];
  wasCancelled: boolean;
  dimensions?: Readonly<Record<string, DimensionConfig>>;
}): GoldScore {
  const evaluate = (dimensions?: Readonly<Record<string, DimensionConfig>>) =>
    evaluateAgreement({
      labelConfig: input.config,
      participants: [
        { id: "gold", kind: "prediction", result: input.expected },
        { id: "annotation", kind: "annotation", result: input.wasCancelled ? [] : input.result },
      ],
      ...(dimensions ? { dimensions } : {}),
    });
  let evaluation: ReturnType<typeof evaluateAgreement>;
  try {
    evaluation = evaluate(input.dimensions);
  } catch (error) {
    // Dimension settings the engine refuses (a metric renamed since) fall back to the defaults.
    if (!(isAppError(error) && error.code === "BAD_REQUEST") || !input.dimensions) throw error;
    evaluation = evaluate();
  }
  const dimensionScores = Object.fromEntries(
    Object.entries(evaluation.dimensions).map(([name, d]) => [name, d.matrix[0]?.[1] ?? null]),
  );
  const overall = input.wasCancelled ? 0 : (evaluation.matrix[0]?.[1] ?? 0);
  return { score: overall, dimensionScores };
}

export interface GoldScored {
  organizationId: number;
  annotatorId: number;
  workflowId: number;
}

export interface AnnotationChange {
  annotationId: number;
  organizationId: number;
  itemId: number;
  annotatorId: number;
  assignmentId: number | null;
  kind: "created" | "updated" | "deleted";
}

/**
 * Gold scoring, run for every stored annotation change (the ingestion `annotation.changed` job): an
 * annotation of a gold item gets one `gold_results` row (re-scored on update, removed on deletion);
 * other items are left alone. `onScored` runs after a score is stored (the quality gate).
 */
export function createGoldScoring(deps: { db: Db; onScored?: (event: GoldScored) => Promise<void> }) {
  const { db } = deps;

  async function dimensionsOf(workflowId: number, config: ParsedLabelConfig) {
    const rows = await db
      .select()
      .from(agreementDimensions)
      .where(eq(agreementDimensions.workflowId, workflowId));
    const controls = new Set(config.controls.map((c) => c.name));
    const known = rows.filter((r) => controls.has(r.name));
    if (known.length === 0) return undefined;
    return Object.fromEntries(
      known.map((r): [string, DimensionConfig] => [
        r.name,
        {
          metric: r.metric,
          params: r.params,
          weight: r.weight,
          active: r.isActive,
          ...(r.labelWeights ? { labelWeights: r.labelWeights } : {}),
        },
      ]),
    );
  }

  /** Scores (or un-scores) the annotation when its item is a gold item; returns the stored score. */
  async function handle(change: AnnotationChange): Promise<GoldScore | null> {
    const [target] = await db
      .select({
        workflowId: items.workflowId,
        goldTaskId: items.goldTaskId,
        expected: goldTasks.expectedLabels,
        configXml: labelingConfigs.configXml,
        result: annotations.result,
        wasCancelled: annotations.wasCancelled,
        state: annotations.state,
        assignmentId: annotations.assignmentId,
      })
      .from(items)
      .innerJoin(goldTasks, eq(goldTasks.id, items.goldTaskId))
      .innerJoin(labelingConfigs, eq(labelingConfigs.id, goldTasks.labelingConfigId))
      .leftJoin(annotations, eq(annotations.id, change.annotationId))
      .where(
        and(
          eq(items.id, change.itemId),
          eq(items.organizationId, change.organizationId),
          eq(items.kind, "gold"),
        ),
      );
    if (!target) return null;
    if (change.kind === "deleted" || target.state === null || target.state === "DELETED") {
      await db.delete(goldResults).where(eq(goldResults.annotationId, change.annotationId));
      return null;
    }
    const parsed = parseLabelConfig(target.configXml);
    if (!parsed.ok) return null;
    const score = scoreAgainstGold({
      config: parsed.config,
      expected: target.expected,
      result: target.result ?? [],
      wasCancelled: target.wasCancelled ?? false,
      dimensions: await dimensionsOf(target.workflowId, parsed.config),
    });
    await db
      .insert(goldResults)
      .values({
        organizationId: change.organizationId,
        goldTaskId: target.goldTaskId!,
        annotatorId: change.annotatorId,
        assignmentId: target.assignmentId ?? change.assignmentId,
        workflowId: target.workflowId,
        annotationId: change.annotationId,
        score: score.score,
        dimensionScores: score.dimensionScores,
      })
      .onConflictDoUpdate({
        target: goldResults.annotationId,
        set: { score: score.score, dimensionScores: score.dimensionScores, evaluatedAt: sql`now()` },
      });
    await deps.onScored?.({
      organizationId: change.organizationId,
      annotatorId: change.annotatorId,
      workflowId: target.workflowId,
    });
    return score;
  }

  return { handle };
}
export type GoldScoring = ReturnType<typeof createGoldScoring>;
