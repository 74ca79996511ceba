/**
 * Zod shapes of metric parameters. Names follow LS `metric_params` (snake_case: `iou_threshold`,
 * `algorithm`, `qval`); every switch defaults to evalme's behaviour, the LS-docs variants are opt-in.
 */
import { z } from "zod";
import { TEXT_ALGORITHMS } from "./text-distance.js";
import type { TaxonomyNode } from "./types.js";

const unit = z.number().min(0).max(1);

/** Accepted by every metric: LS docs "(Threshold)" variant, the dimension score becomes 1 when `≥` it, else 0. */
export const commonShape = {
  score_threshold: unit.optional().describe("Binarise the dimension score: ≥ threshold → 1, else 0"),
};

export const regionShape = {
  iou_threshold: unit.optional().describe("Each best match becomes 1 when it passes the threshold, else 0"),
  threshold_comparison: z.enum(["gt", "gte"]).default("gt").describe("gt: evalme strict >; gte: LS docs ≥"),
  aggregation: z
    .enum(["min", "pooled"])
    .default("min")
    .describe("min: evalme min of both directions; pooled: LS docs two-way greedy average"),
};

export const spanShape = {
  ...regionShape,
  label_agnostic_best_match: z
    .boolean()
    .default(false)
    .describe("LSE flag ff_back_dev_2762: best-overlap region regardless of label, keep its label match"),
};

export const detectionShape = {
  iou_threshold: unit.default(0.5),
  threshold_comparison: z.enum(["gt", "gte"]).default("gte").describe("evalme P/R/F1 compare IoU ≥ t"),
};

export const choicesShape = {
  mode: z
    .enum(["exact", "jaccard"])
    .default("exact")
    .describe("exact: evalme; jaccard: LS docs partial credit"),
  ordered: z.boolean().default(false).describe("LS docs: lists must also be in the same order"),
};

export const numericShape = {
  mode: z
    .enum(["exact", "difference", "threshold"])
    .default("exact")
    .describe("exact: evalme; difference: 1/(1+|a−b|); threshold: |a−b| ≤ max_difference"),
  max_difference: z.number().min(0).default(1),
};

export const textShape = {
  algorithm: z.enum(TEXT_ALGORITHMS).default("Levenshtein"),
  qval: z
    .number()
    .int()
    .min(0)
    .max(16)
    .nullable()
    .default(1)
    .describe("1 chars, 0/null words, n ≥ 2 n-grams"),
  empty_strings_match: z
    .boolean()
    .default(false)
    .describe("two empty strings: 0 (evalme's textdistance 4.1.5) or 1 (textdistance ≥ 4.5)"),
};

const TaxonomyNodeSchema: z.ZodType<TaxonomyNode> = z.lazy(() =>
  z.object({ value: z.string(), children: z.array(TaxonomyNodeSchema).max(10_000).optional() }),
);

export const taxonomyVariantShape = {
  variant: z.enum(["evalme", "docs"]).default("evalme").describe("docs: the LS docs Jaccard variant"),
};

export const subtreeShape = {
  ...taxonomyVariantShape,
  tree: z
    .array(TaxonomyNodeSchema)
    .max(10_000)
    .optional()
    .describe("The taxonomy tree, when the parsed label config does not carry it"),
};

export const keypointShape = {
  max_distance: z.number().positive().default(1).describe("Tolerance in stored (percent) units, strict <"),
  distance: z
    .enum(["box", "euclidean"])
    .default("box")
    .describe("box: evalme |dx|,|dy| < d; euclidean: LS docs"),
};

/** Region options as the engine names them. */
export function regionOptions(
  p: z.output<z.ZodObject<typeof spanShape>> | z.output<z.ZodObject<typeof regionShape>>,
) {
  return {
    iouThreshold: p.iou_threshold,
    thresholdComparison: p.threshold_comparison,
    aggregation: p.aggregation,
    labelAgnosticBestMatch: "label_agnostic_best_match" in p ? p.label_agnostic_best_match : false,
  };
}

/** Text options as the engine names them. */
export function textOptions(p: z.output<z.ZodObject<typeof textShape>>) {
  return { algorithm: p.algorithm, qval: p.qval, emptyStringsMatch: p.empty_strings_match };
}
