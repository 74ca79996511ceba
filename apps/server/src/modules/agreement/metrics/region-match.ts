/**
 * The best-match aggregation shared by every region type (reference §2.6, §2.8, §2.9, §2.12, per-region
 * §2.1 / §2.5): for each region of one side, its best match among the other side's regions (greedy,
 * no one-to-one assignment), then a weighted mean.
 */
import type { BoundMetric, ResultItem } from "./types.js";
import { passes, type ThresholdComparison } from "./values.js";

/** Options every region metric accepts. */
export interface RegionMatchOptions {
  /** evalme `iou_threshold`: each best match becomes 1 when it passes, else 0. */
  readonly iouThreshold?: number;
  /** `gt` (evalme spans, strict `>`) or `gte` (LS docs `≥`). */
  readonly thresholdComparison: ThresholdComparison;
  /**
   * `min` (evalme): weighted mean per direction, then the minimum of both directions.
   * `pooled` (LS docs two-way greedy): the best matches of both sides averaged together.
   */
  readonly aggregation: "min" | "pooled";
  /**
   * LSE flag `ff_back_dev_2762_textarea_weights_30062022_short`: the best-overlapping region is chosen
   * regardless of label and only its label match (0/1) is kept. Off by default.
   */
  readonly labelAgnosticBestMatch?: boolean;
}

/** How one region type compares two of its regions, given regions parsed once by `prepare`. */
export interface RegionSpec<R> {
  readonly id: string;
  prepare(item: ResultItem): R;
  /** Geometric overlap (IoU) in [0, 1]. */
  overlap(a: R, b: R): number;
  /** Factor multiplied with a non-zero overlap: label equality (0/1), or a text similarity. */
  agreement(a: R, b: R): number;
  /** `agreement` costs more than `overlap` (text similarity): compute the overlap first. */
  readonly costlyAgreement?: boolean;
  /** Weight of a region in the mean over its side. */
  weight(r: R): number;
  /** evalme iterates over candidates (default) except for brush masks, which iterate over references. */
  readonly iterate?: "candidates" | "references";
}

interface Table {
  /** Best match of each row (side a) against the columns (side b), and of each column against the rows. */
  readonly rowBest: Float64Array;
  readonly colBest: Float64Array;
}

function bestMatches<R>(a: readonly R[], b: readonly R[], spec: RegionSpec<R>, o: RegionMatchOptions): Table {
  const rowBest = new Float64Array(a.length);
  const colBest = new Float64Array(b.length);
  // Label-agnostic mode remembers the best overlap per row/column and the agreement of that partner.
  const rowOverlap = new Float64Array(a.length);
  const colOverlap = new Float64Array(b.length);
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      const x = a[i] as R;
      const y = b[j] as R;
      if (o.labelAgnosticBestMatch) {
        const overlap = spec.overlap(x, y);
        if (overlap <= 0) continue;
        const agreement = spec.agreement(x, y);
        if (overlap > (rowOverlap[i] as number)) {
          rowOverlap[i] = overlap;
          rowBest[i] = agreement;
        }
        if (overlap > (colOverlap[j] as number)) {
          colOverlap[j] = overlap;
          colBest[j] = agreement;
        }
        continue;
      }
      // The cheaper factor first: a zero saves computing the other one.
      let m: number;
      if (spec.costlyAgreement) {
        const overlap = spec.overlap(x, y);
        m = overlap > 0 ? overlap * spec.agreement(x, y) : 0;
      } else {
        const agreement = spec.agreement(x, y);
        m = agreement > 0 ? spec.overlap(x, y) * agreement : 0;
      }
      if (m > (rowBest[i] as number)) rowBest[i] = m;
      if (m > (colBest[j] as number)) colBest[j] = m;
    }
  }
  if (o.iouThreshold !== undefined) {
    const t = o.iouThreshold;
    const binarise = (best: Float64Array, overlaps: Float64Array): void => {
      for (let k = 0; k < best.length; k++) {
        // A region with no overlap at all never counts as matched, even at threshold 0 with `gte`.
        const tested = o.labelAgnosticBestMatch ? (overlaps[k] as number) : (best[k] as number);
        const kept = o.labelAgnosticBestMatch ? (best[k] as number) : 1;
        best[k] = tested > 0 && passes(tested, t, o.thresholdComparison) ? kept : 0;
      }
    };
    binarise(rowBest, rowOverlap);
    binarise(colBest, colOverlap);
  }
  return { rowBest, colBest };
}

function weightedSum(best: Float64Array, weights: readonly number[]): [number, number] {
  let sum = 0;
  let total = 0;
  for (let k = 0; k < best.length; k++) {
    const w = weights[k] as number;
    sum += w * (best[k] as number);
    total += w;
  }
  return [sum, total];
}

const ratio = ([sum, total]: [number, number]): number => (total > 0 ? sum / total : 0);

/**
 * Binds a region spec to options. `directional(G, P)` is evalme's `f(G, P)`: the weighted mean over
 * the candidate regions P (the references G for `iterate: "references"`) of their best match on the
 * other side. Both sides empty → 1, one side empty → 0.
 */
export function regionMetric<R>(spec: RegionSpec<R>, options: RegionMatchOptions): BoundMetric {
  // Items are immutable for the duration of an evaluation: parse (decode, prepare) each once.
  const cache = new WeakMap<ResultItem, R>();
  const prepared = (items: readonly ResultItem[]): R[] =>
    items.map((item) => {
      let r = cache.get(item);
      if (r === undefined) {
        r = spec.prepare(item);
        cache.set(item, r);
      }
      return r;
    });
  const run = (a: readonly ResultItem[], b: readonly ResultItem[]) => {
    const ra = prepared(a);
    const rb = prepared(b);
    const table = bestMatches(ra, rb, spec, options);
    return { table, wa: ra.map((r) => spec.weight(r)), wb: rb.map((r) => spec.weight(r)) };
  };
  const emptyScore = (a: readonly ResultItem[], b: readonly ResultItem[]): number | undefined =>
    a.length === 0 && b.length === 0 ? 1 : a.length === 0 || b.length === 0 ? 0 : undefined;
  const directional = (gt: readonly ResultItem[], pred: readonly ResultItem[]): number => {
    const empty = emptyScore(gt, pred);
    if (empty !== undefined) return empty;
    const { table, wa, wb } = run(gt, pred);
    return spec.iterate === "references"
      ? ratio(weightedSum(table.rowBest, wa))
      : ratio(weightedSum(table.colBest, wb));
  };
  const score = (a: readonly ResultItem[], b: readonly ResultItem[]): number => {
    const empty = emptyScore(a, b);
    if (empty !== undefined) return empty;
    const { table, wa, wb } = run(a, b);
    const rows = weightedSum(table.rowBest, wa);
    const cols = weightedSum(table.colBest, wb);
    if (options.aggregation === "pooled") return ratio([rows[0] + cols[0], rows[1] + cols[1]]);
    return Math.min(ratio(rows), ratio(cols));
  };
  return { id: spec.id, directional, score };
}
