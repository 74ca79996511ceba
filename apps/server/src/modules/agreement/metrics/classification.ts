/**
 * Classification-like results (reference §2.1, §2.3, §2.4, §2.10, §2.13, §2.14): choices, rating,
 * number, datetime, pairwise, and evalme's generic exact match `naive`.
 */
import type { LabelWeights, ResultItem } from "./types.js";
import { canonicalJson, finite, jsonEqual, labelWeight, stringList, zipItems } from "./values.js";

/** Options of `exact_matching_choices` on Choices. */
export interface ChoicesOptions {
  /** `exact` (evalme): all position-paired items must hold the same labels; `jaccard` (LS docs): |A∩B|/|A∪B|. */
  readonly mode: "exact" | "jaccard";
  /** LS docs variant: lists must be equal in order too. evalme (default) compares sorted lists. */
  readonly ordered: boolean;
}

/**
 * evalme `exact_matching_choices` on Choices, `f(G, P)`: 0 on the first position-paired item whose
 * label lists differ; otherwise the mean label weight of the matched labels (1 by default; a weight
 * above 1 yields a score above 1, clipped later by the pair score).
 */
export function exactMatchingChoices(
  gt: readonly ResultItem[],
  pred: readonly ResultItem[],
  weights: LabelWeights,
  options: ChoicesOptions,
  key = "choices",
): number {
  if (gt.length === 0 && pred.length === 0) return 1;
  if (gt.length === 0 || pred.length === 0) return 0;
  if (options.mode === "jaccard") return weightedJaccard(gt, pred, weights, key);
  let total = 0;
  let count = 0;
  for (const [g, p] of zipItems(gt, pred)) {
    const a = stringList(g.value, key);
    const b = stringList(p.value, key);
    if (!sameList(a, b, options.ordered)) return 0;
    for (const label of a) total += labelWeight(weights, label);
    count += a.length;
  }
  return count === 0 ? 1 : total / count;
}

function sameList(a: readonly string[], b: readonly string[], ordered: boolean): boolean {
  if (a.length !== b.length) return false;
  const x = ordered ? a : [...a].sort();
  const y = ordered ? b : [...b].sort();
  return x.every((label, i) => label === y[i]);
}

/** Jaccard over the label sets of the whole control, weighted by label weights (1 by default). */
function weightedJaccard(
  gt: readonly ResultItem[],
  pred: readonly ResultItem[],
  weights: LabelWeights,
  key: string,
): number {
  const a = new Set(gt.flatMap((item) => stringList(item.value, key)));
  const b = new Set(pred.flatMap((item) => stringList(item.value, key)));
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  let union = 0;
  for (const label of new Set([...a, ...b])) {
    const w = labelWeight(weights, label);
    union += w;
    if (a.has(label) && b.has(label)) inter += w;
  }
  return union === 0 ? 0 : inter / union;
}

/** Options of numeric comparisons (Rating via `exact_matching_choices`, Number via `numbers_match`). */
export interface NumericOptions {
  /**
   * `exact` (evalme): equal → 1 else 0. LS docs variants: `difference` → 1 / (1 + |a − b|);
   * `threshold` → 1 when |a − b| ≤ `maxDifference`, else 0.
   */
  readonly mode: "exact" | "difference" | "threshold";
  readonly maxDifference: number;
}

/** Compares the numbers under `key` of position-paired items; the score is the worst pair (0 if none). */
export function numericMatch(
  gt: readonly ResultItem[],
  pred: readonly ResultItem[],
  key: string,
  options: NumericOptions,
): number {
  const pairs = zipItems(gt, pred);
  if (pairs.length === 0) return gt.length === 0 && pred.length === 0 ? 1 : 0;
  let worst = 1;
  for (const [g, p] of pairs) worst = Math.min(worst, compareNumbers(g.value[key], p.value[key], options));
  return worst;
}

function compareNumbers(a: unknown, b: unknown, options: NumericOptions): number {
  const x = finite(a);
  const y = finite(b);
  // Non-numbers (a datetime string stored under `number`, nulls) can still be equal as values.
  if (x === undefined || y === undefined) return a !== undefined && jsonEqual(a, b) ? 1 : 0;
  const d = Math.abs(x - y);
  if (options.mode === "difference") return 1 / (1 + d);
  if (options.mode === "threshold") return d <= options.maxDifference ? 1 : 0;
  return d === 0 ? 1 : 0;
}

/**
 * Equality of `value[key]` of position-paired items (evalme `SimpleComparisionEvalItem`:
 * `datetime_match` with plain string equality, `exact_matching_pairwise` on `selected`).
 * Missing values never match.
 */
export function valueEquality(gt: readonly ResultItem[], pred: readonly ResultItem[], key: string): number {
  const pairs = zipItems(gt, pred);
  if (pairs.length === 0) return gt.length === 0 && pred.length === 0 ? 1 : 0;
  for (const [g, p] of pairs) {
    const a = g.value[key];
    if (a === undefined || a === null || !jsonEqual(a, p.value[key])) return 0;
  }
  return 1;
}

/**
 * evalme `naive`, `f(G, P)`: 0 if either side is empty or the item counts differ; else the share of
 * G's items whose whole `value` equals the `value` of some item of P (order of items ignored).
 */
export function naive(
  gt: readonly ResultItem[],
  pred: readonly ResultItem[],
  keyOf: (item: ResultItem) => string = (item) => canonicalJson(item.value),
): number {
  if (gt.length === 0 || pred.length === 0 || gt.length !== pred.length) return 0;
  // Canonical strings turn n² deep comparisons into set lookups.
  const candidates = new Set(pred.map(keyOf));
  let found = 0;
  for (const g of gt) if (candidates.has(keyOf(g))) found++;
  return found / gt.length;
}

/** `naive` with each item's canonical string computed once (items are reused across pairs). */
export function cachedNaive(): (gt: readonly ResultItem[], pred: readonly ResultItem[]) => number {
  const keys = new WeakMap<ResultItem, string>();
  const keyOf = (item: ResultItem): string => {
    let key = keys.get(item);
    if (key === undefined) {
      key = canonicalJson(item.value);
      keys.set(item, key);
    }
    return key;
  };
  return (gt, pred) => naive(gt, pred, keyOf);
}
