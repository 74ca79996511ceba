/**
 * The score of one pair of participants over all dimensions (reference §1.1, evalme `Metrics.apply`).
 */
import type { BoundMetric, ResultItem } from "./types.js";
import { clip01, toResultItem } from "./values.js";

/** A participant's result, grouped once by control so every pair reuses the grouping. */
export interface PreparedResult {
  /** The raw result list was empty (evalme rule 1: nothing vs nothing is full agreement). */
  readonly isEmpty: boolean;
  readonly byControl: ReadonlyMap<string, readonly ResultItem[]>;
}

/** Groups a raw LS result list by `from_name`; entries without one (relations) are ignored. */
export function prepareResult(result: readonly unknown[]): PreparedResult {
  const byControl = new Map<string, ResultItem[]>();
  for (const raw of result) {
    const item = toResultItem(raw);
    if (!item) continue;
    const list = byControl.get(item.from_name);
    if (list) list.push(item);
    else byControl.set(item.from_name, [item]);
  }
  return { isEmpty: result.length === 0, byControl };
}

/** One scored dimension: a control name, its overall weight and its bound metric. */
export interface PairDimension {
  readonly name: string;
  /** `control_weights[c].overall`; 0 keeps the dimension's own score but removes it from the overall. */
  readonly weight: number;
  readonly metric: BoundMetric;
}

export interface PairScore {
  /**
   * Σ w·s / Σ w over the dimensions either side used, clipped into [0, 1]. 1 when both raw results
   * are empty; null when results exist but no weighted dimension was used by either side.
   */
  readonly overall: number | null;
  /** Per dimension, clipped into [0, 1]; null when neither side used the control. */
  readonly dimensions: ReadonlyMap<string, number | null>;
}

const NONE: readonly ResultItem[] = [];

/** Score of one dimension for a pair: null when neither used it, 0 when only one did (§1.3). Unclipped. */
export function dimensionScore(
  a: PreparedResult,
  b: PreparedResult,
  dimension: PairDimension,
): number | null {
  const x = a.byControl.get(dimension.name) ?? NONE;
  const y = b.byControl.get(dimension.name) ?? NONE;
  if (x.length === 0 && y.length === 0) return null;
  // One side only: 0 for every type, keypoints included (evalme would divide by zero there).
  if (x.length === 0 || y.length === 0) return 0;
  const s = dimension.metric.score(x, y);
  return Number.isFinite(s) ? s : 0;
}

/**
 * Scores one pair. Dimension scores enter the weighted mean unclipped and only the mean is clipped,
 * as evalme does, so a label weight above 1 can lift a pair (reference §2.1).
 */
export function scorePair(
  a: PreparedResult,
  b: PreparedResult,
  dimensions: readonly PairDimension[],
): PairScore {
  const scores = new Map<string, number | null>();
  let weighted = 0;
  let totalWeight = 0;
  for (const dimension of dimensions) {
    const s = dimensionScore(a, b, dimension);
    scores.set(dimension.name, s === null ? null : clip01(s));
    if (s === null || !(dimension.weight > 0)) continue;
    weighted += dimension.weight * s;
    totalWeight += dimension.weight;
  }
  let overall: number | null;
  if (a.isEmpty && b.isEmpty) overall = 1;
  else overall = totalWeight > 0 ? clip01(weighted / totalWeight) : null;
  return { overall, dimensions: scores };
}
