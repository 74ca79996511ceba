/**
 * Detection statistics over boxes or polygons (reference §2.8): evalme `precision_bboxes`,
 * `recall_bboxes`, `f1_bboxes`, `mAP_bboxes` (and the polygon variants, §2.9).
 */
import type { RegionSpec } from "./region-match.js";
import type { BoundMetric, ResultItem } from "./types.js";
import { passes, type ThresholdComparison } from "./values.js";

export type DetectionStatistic = "precision" | "recall" | "f1" | "mAP";

export interface DetectionOptions {
  /** IoU threshold t (default 0.5). */
  readonly iouThreshold: number;
  /** evalme compares `IoU ≥ t` (`gte`, default). */
  readonly thresholdComparison: ThresholdComparison;
}

interface PairFact {
  readonly same: boolean;
  readonly iou: number;
  readonly weight: number;
}

/**
 * Precision and recall at threshold t over **all** (candidate, reference) pairs: same labels and
 * IoU passing → TP, same labels and IoU failing → FN, different labels and IoU passing → FP, each
 * counted with the weight of the reference region.
 */
export function precisionRecall(
  facts: readonly PairFact[],
  t: number,
  comparison: ThresholdComparison,
): { precision: number; recall: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const f of facts) {
    const hit = passes(f.iou, t, comparison);
    if (f.same && hit) tp += f.weight;
    else if (f.same) fn += f.weight;
    else if (hit) fp += f.weight;
  }
  return { precision: tp + fp > 0 ? tp / (tp + fp) : 0, recall: tp + fn > 0 ? tp / (tp + fn) : 0 };
}

/** Thresholds of `mAP_bboxes`: 0.2, 0.25, … strictly below t. */
export function mapThresholds(t: number): number[] {
  const out: number[] = [];
  for (let k = 0; (20 + 5 * k) / 100 < t - 1e-12; k++) out.push((20 + 5 * k) / 100);
  return out;
}

/** AP = Σ (Rᵢ − Rᵢ₊₁)·Pᵢ over the thresholds in ascending order, closed by the point (P = 1, R = 0). */
export function averagePrecision(points: readonly { precision: number; recall: number }[]): number {
  const all = [...points, { precision: 1, recall: 0 }];
  let ap = 0;
  for (let i = 0; i + 1 < all.length; i++) {
    const here = all[i] as { precision: number; recall: number };
    ap += (here.recall - (all[i + 1] as { recall: number }).recall) * here.precision;
  }
  return ap;
}

/** Binds a detection statistic to a region spec; `score` is the minimum of both directions. */
export function detectionMetric<R>(
  id: string,
  spec: RegionSpec<R>,
  statistic: DetectionStatistic,
  options: DetectionOptions,
): BoundMetric {
  const cache = new WeakMap<ResultItem, R>();
  const prepare = (item: ResultItem): R => {
    let r = cache.get(item);
    if (r === undefined) {
      r = spec.prepare(item);
      cache.set(item, r);
    }
    return r;
  };
  const directional = (gt: readonly ResultItem[], pred: readonly ResultItem[]): number => {
    if (gt.length === 0 && pred.length === 0) return 1;
    const facts: PairFact[] = [];
    const references = gt.map(prepare);
    for (const p of pred.map(prepare)) {
      for (const g of references) {
        facts.push({ same: spec.agreement(g, p) === 1, iou: spec.overlap(g, p), weight: spec.weight(g) });
      }
    }
    const cmp = options.thresholdComparison;
    if (statistic === "mAP") {
      return averagePrecision(mapThresholds(options.iouThreshold).map((t) => precisionRecall(facts, t, cmp)));
    }
    const { precision, recall } = precisionRecall(facts, options.iouThreshold, cmp);
    if (statistic === "precision") return precision;
    if (statistic === "recall") return recall;
    return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  };
  return { id, directional, score: (a, b) => Math.min(directional(a, b), directional(b, a)) };
}
