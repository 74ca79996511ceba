import type { Db } from "../../db/client.js";
import type { SettingsService } from "../settings/settings.service.js";
import {
  annotatorNames,
  goldStatsByAnnotator,
  type QualityFilters,
  recentEvaluations,
  recentRejections,
  reviewStatsByAnnotator,
} from "./quality.repo.js";
import { accuracyThresholdOf } from "./quality-gate.js";

export type { QualityFilters } from "./quality.repo.js";

const iso = (value: string | Date) => new Date(value).toISOString();

/** `GET /api/quality`: gold accuracy, the threshold, rejection and rework rates, recent activity. */
export function createQualityService(deps: { db: Db; settings: SettingsService }) {
  const { db, settings } = deps;
  return {
    /**
     * Quality of the organization (optionally one workflow, optionally a time range): accuracy is the
     * mean gold score (every evaluation weighs the same; null without evaluations); an annotator is
     * below threshold when they have evaluations and their mean is under it; `rejectionRate` =
     * rejections / reviewed annotations, and `reworkRate` is the same ratio over everyone.
     */
    async summary(organizationId: number, filters: QualityFilters, recentLimit = 10) {
      const [threshold, gold, reviews, evaluations, rejections] = await Promise.all([
        accuracyThresholdOf(settings, organizationId),
        goldStatsByAnnotator(db, organizationId, filters),
        reviewStatsByAnnotator(db, organizationId, filters),
        recentEvaluations(db, organizationId, filters, recentLimit),
        recentRejections(db, organizationId, filters, recentLimit),
      ]);
      const goldOf = new Map(gold.map((g) => [g.annotatorId, g]));
      const ids = [
        ...new Set([...goldOf.keys(), ...reviews.reviewed.keys(), ...reviews.rejected.keys()]),
      ].sort((a, b) => a - b);
      const names = await annotatorNames(db, organizationId, ids);
      let totalEvaluations = 0;
      let scoreSum = 0;
      let totalReviewed = 0;
      let totalRejected = 0;
      let belowThresholdCount = 0;
      const annotatorScores = ids.map((annotatorId) => {
        const g = goldOf.get(annotatorId);
        const evaluationCount = g?.n ?? 0;
        const accuracy = g && g.n > 0 ? g.sum / g.n : null;
        const rejectionCount = reviews.rejected.get(annotatorId) ?? 0;
        // A rejection is a review too, whatever state the annotation went on to.
        const reviewedCount = Math.max(reviews.reviewed.get(annotatorId) ?? 0, rejectionCount);
        totalEvaluations += evaluationCount;
        scoreSum += g?.sum ?? 0;
        totalReviewed += reviewedCount;
        totalRejected += rejectionCount;
        if (accuracy !== null && accuracy < threshold) belowThresholdCount++;
        return {
          annotatorId,
          annotatorName: names.get(annotatorId) ?? null,
          accuracy,
          evaluationCount,
          rejectionCount,
          reviewedCount,
          rejectionRate: reviewedCount > 0 ? rejectionCount / reviewedCount : 0,
        };
      });
      return {
        overallAccuracy: totalEvaluations > 0 ? scoreSum / totalEvaluations : null,
        accuracyThreshold: threshold,
        belowThresholdCount,
        reworkRate: totalReviewed > 0 ? totalRejected / totalReviewed : 0,
        annotatorScores,
        recentEvaluations: evaluations.map((e) => ({
          annotatorId: Number(e.annotator_id),
          annotatorName: e.annotator_name,
          goldTaskName: e.gold_task_name,
          score: Number(e.score),
          evaluatedAt: iso(e.evaluated_at),
        })),
        recentRejections: rejections.map((r) => ({
          originalAnnotatorId: r.original_annotator_id === null ? null : Number(r.original_annotator_id),
          originalAnnotatorName: r.original_annotator_name,
          reviewerAnnotatorName: r.reviewer_annotator_name,
          imageKey: r.image_key,
          reason: r.reason,
          actionTaken: r.action_taken,
          createdAt: iso(r.created_at),
        })),
      };
    },
  };
}
export type QualityService = ReturnType<typeof createQualityService>;
