/**
 * Types shared by the agreement metric engine. Everything here is pure data: the engine never does
 * I/O, so the same code serves the HTTP route, the CLI, the recompute jobs and the benchmarks.
 *
 * Definitions follow `reference/agreement-metrics.md` (evalme's behaviour is the reference).
 */

/** A Label Studio result item, normalised: every item the engine sees has a `from_name` and a `value` object. */
export interface ResultItem {
  readonly id?: string;
  readonly from_name: string;
  readonly to_name?: string;
  readonly type?: string;
  readonly value: Readonly<Record<string, unknown>>;
}

/** `control_weights[c].labels` of LS: label → weight (default 1 for labels not listed). */
export type LabelWeights = Readonly<Record<string, number>>;

/** One node of a Taxonomy tree (nested `<Choice>` tags). */
export interface TaxonomyNode {
  readonly value: string;
  readonly children?: readonly TaxonomyNode[];
}

/**
 * The control tag a dimension stands for. Structurally a subset of `ControlTag` from
 * `labelstudio/label-config.ts`, so parsed configs can be passed as they are. `tree` is optional:
 * the taxonomy subtree metric uses it when the config parser provides it.
 */
export interface ControlInfo {
  /** Lowercase tag name, equal to the LS result `type` (e.g. `rectanglelabels`). */
  readonly tag: string;
  readonly name: string;
  readonly labels?: readonly string[];
  readonly perRegion?: boolean;
  readonly tree?: readonly TaxonomyNode[];
}

/** What a metric is built with, besides its own parameters. */
export interface MetricContext {
  readonly control: ControlInfo;
  readonly labelWeights: LabelWeights;
}

/**
 * A metric bound to one control, its parameters and its label weights.
 *
 * `score(a, b)` is the dimension score of one pair: by default `min(f(a, b), f(b, a))` (evalme
 * `Metrics.apply`), or whatever symmetric aggregation the metric's parameters select. It may exceed
 * 1 when label weights above 1 scale a perfect match (evalme clips only the final pair score).
 * `directional(gt, pred)` is evalme's one-directional `f(G, P)`, `gt` being the reference.
 */
export interface BoundMetric {
  readonly id: string;
  directional(gt: readonly ResultItem[], pred: readonly ResultItem[]): number;
  score(a: readonly ResultItem[], b: readonly ResultItem[]): number;
}

/** Builds a symmetric `score` as the minimum of both directions (the evalme rule). */
export function minOfDirections(
  directional: BoundMetric["directional"],
): (a: readonly ResultItem[], b: readonly ResultItem[]) => number {
  return (a, b) => Math.min(directional(a, b), directional(b, a));
}
