/**
 * Metric ids → implementations per control kind, and the validation of metric parameters
 * (ids and defaults: `catalog.ts`).
 */
import { z } from "zod";
import { AppError } from "../../../lib/app-error.js";
import { iouBrush } from "./brush.js";
import { controlKind, DEFAULT_METRICS, METRIC_IDS, type MetricId } from "./catalog.js";
import { cachedNaive, exactMatchingChoices, numericMatch, valueEquality } from "./classification.js";
import { detectionMetric } from "./detection.js";
import {
  choicesShape,
  commonShape,
  detectionShape,
  keypointShape,
  numericShape,
  regionOptions,
  regionShape,
  spanShape,
  subtreeShape,
  taxonomyVariantShape,
  textOptions,
  textShape,
} from "./params.js";
import { perRegionChoices, perRegionTextarea } from "./per-region.js";
import { boxSpec, iouBboxes, iouPolygons, keypointsDistance, polygonSpec } from "./shapes.js";
import { intersectionHtmlTagging, intersectionTextTagging } from "./spans.js";
import {
  ancestorPrefixJaccard,
  fullPathJaccard,
  intersectionTaxonomy,
  pathMatchTaxonomy,
} from "./taxonomy.js";
import { matchTextareas } from "./textarea.js";
import { type BoundMetric, type ControlInfo, type MetricContext, minOfDirections } from "./types.js";

export { controlKind, DEFAULT_METRICS, METRIC_IDS, type MetricId } from "./catalog.js";

interface Binding {
  readonly schema: z.ZodType<Record<string, unknown>>;
  build(params: Record<string, unknown>, ctx: MetricContext): BoundMetric;
}

/** Erases the parameter type of one binding after checking the builder against its shape. */
function bind<S extends z.ZodRawShape>(
  shape: S,
  build: (params: z.output<z.ZodObject<S>>, ctx: MetricContext) => BoundMetric,
): Binding {
  const schema = z.strictObject({ ...shape, ...commonShape });
  return {
    schema: schema as unknown as z.ZodType<Record<string, unknown>>,
    build: (params, ctx) => build(params as z.output<z.ZodObject<S>>, ctx),
  };
}

/** A metric from a one-directional `f(G, P)`, scored as the minimum of both directions. */
function directionalMetric(id: string, f: BoundMetric["directional"]): BoundMetric {
  return { id, directional: f, score: minOfDirections(f) };
}

/** A metric that is symmetric by construction. */
function symmetricMetric(id: string, f: BoundMetric["score"]): BoundMetric {
  return { id, directional: f, score: f };
}

const detection = (stat: "precision" | "recall" | "f1" | "mAP", kind: "bboxes" | "polygons"): Binding =>
  bind(detectionShape, (p, ctx) =>
    detectionMetric(
      `${stat}_${kind}`,
      (kind === "bboxes" ? boxSpec : polygonSpec)(ctx.labelWeights) as Parameters<typeof detectionMetric>[1],
      stat,
      { iouThreshold: p.iou_threshold, thresholdComparison: p.threshold_comparison },
    ),
  );

const ANY = "*";

/** Metric id → control kind (or `*` for any) → implementation. */
const BINDINGS: Readonly<Record<MetricId, Readonly<Record<string, Binding>>>> = {
  exact_matching_choices: {
    choices: bind(choicesShape, (p, ctx) =>
      directionalMetric("exact_matching_choices", (g, q) => exactMatchingChoices(g, q, ctx.labelWeights, p)),
    ),
    rating: bind(numericShape, (p) =>
      directionalMetric("exact_matching_choices", (g, q) =>
        numericMatch(g, q, "rating", { mode: p.mode, maxDifference: p.max_difference }),
      ),
    ),
  },
  intersection_taxonomy: {
    taxonomy: bind(subtreeShape, (p, ctx) =>
      p.variant === "docs"
        ? symmetricMetric("intersection_taxonomy", ancestorPrefixJaccard)
        : directionalMetric("intersection_taxonomy", (g, q) =>
            intersectionTaxonomy(g, q, p.tree ?? ctx.control.tree),
          ),
    ),
  },
  path_match_taxonomy: {
    taxonomy: bind(taxonomyVariantShape, (p) =>
      p.variant === "docs"
        ? symmetricMetric("path_match_taxonomy", fullPathJaccard)
        : directionalMetric("path_match_taxonomy", pathMatchTaxonomy),
    ),
  },
  numbers_match: {
    number: bind(numericShape, (p) =>
      directionalMetric("numbers_match", (g, q) =>
        numericMatch(g, q, "number", { mode: p.mode, maxDifference: p.max_difference }),
      ),
    ),
  },
  datetime_match: {
    datetime: bind({}, () => directionalMetric("datetime_match", (g, q) => valueEquality(g, q, "datetime"))),
  },
  match_textareas: {
    textarea: bind(textShape, (p) =>
      symmetricMetric("match_textareas", (a, b) => matchTextareas(a, b, textOptions(p))),
    ),
  },
  intersection_text_tagging: {
    labels: bind(spanShape, (p, ctx) =>
      intersectionTextTagging("labels", ctx.labelWeights, regionOptions(p)),
    ),
    timeserieslabels: bind(spanShape, (p, ctx) =>
      intersectionTextTagging("timeserieslabels", ctx.labelWeights, regionOptions(p)),
    ),
  },
  intersection_html_tagging: {
    hypertextlabels: bind(spanShape, (p, ctx) => intersectionHtmlTagging(ctx.labelWeights, regionOptions(p))),
  },
  iou_bboxes: {
    rectanglelabels: bind(regionShape, (p, ctx) => iouBboxes(ctx.labelWeights, regionOptions(p))),
  },
  precision_bboxes: { rectanglelabels: detection("precision", "bboxes") },
  recall_bboxes: { rectanglelabels: detection("recall", "bboxes") },
  f1_bboxes: { rectanglelabels: detection("f1", "bboxes") },
  mAP_bboxes: { rectanglelabels: detection("mAP", "bboxes") },
  iou_polygons: {
    polygonlabels: bind(regionShape, (p, ctx) => iouPolygons(ctx.labelWeights, regionOptions(p))),
  },
  precision_polygons: { polygonlabels: detection("precision", "polygons") },
  recall_polygons: { polygonlabels: detection("recall", "polygons") },
  f1_polygons: { polygonlabels: detection("f1", "polygons") },
  keypoints_distance: {
    keypointlabels: bind(keypointShape, (p, ctx) =>
      directionalMetric("keypoints_distance", (g, q) =>
        keypointsDistance(g, q, ctx.labelWeights, { maxDistance: p.max_distance, distance: p.distance }),
      ),
    ),
  },
  iou_brush: { brushlabels: bind(regionShape, (p, ctx) => iouBrush(ctx.labelWeights, regionOptions(p))) },
  exact_matching_pairwise: {
    pairwise: bind({}, () =>
      directionalMetric("exact_matching_pairwise", (g, q) => valueEquality(g, q, "selected")),
    ),
  },
  naive: { [ANY]: bind({}, () => directionalMetric("naive", cachedNaive())) },
  per_region_choices: {
    "choices[per_region]": bind(regionShape, (p, ctx) =>
      perRegionChoices(ctx.labelWeights, regionOptions(p)),
    ),
  },
  per_region_textarea: {
    "textarea[per_region]": bind({ ...regionShape, ...textShape }, (p) =>
      perRegionTextarea(textOptions(p), regionOptions(p)),
    ),
  },
};

const isMetricId = (id: string): id is MetricId => (METRIC_IDS as readonly string[]).includes(id);

/** Metric ids that apply to a control kind. */
export function metricsFor(kind: string): MetricId[] {
  return METRIC_IDS.filter((id) => BINDINGS[id][kind] !== undefined || BINDINGS[id][ANY] !== undefined);
}

/** Wraps a metric in the LS docs "(Threshold)" variant: score ≥ t → 1, else 0. */
function withScoreThreshold(metric: BoundMetric, t: number | undefined): BoundMetric {
  if (t === undefined) return metric;
  return {
    id: metric.id,
    directional: (g, p) => (metric.directional(g, p) >= t ? 1 : 0),
    score: (a, b) => (metric.score(a, b) >= t ? 1 : 0),
  };
}

/** A dimension's metric choice, as configured. */
export interface MetricChoice {
  readonly metric?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/**
 * Binds the metric of one control: the configured one, else the default of its kind. Returns
 * undefined for a control without any metric (evalme skips it). Throws `AppError("BAD_REQUEST")` for
 * an unknown id, a metric that does not apply to the control, or invalid parameters.
 */
export function resolveMetric(
  control: ControlInfo,
  choice: MetricChoice,
  ctx: Omit<MetricContext, "control">,
): BoundMetric | undefined {
  const kind = controlKind(control);
  const id = choice.metric ?? DEFAULT_METRICS[kind];
  if (id === undefined) {
    if (choice.params === undefined) return undefined;
    throw new AppError("BAD_REQUEST", `Control "${control.name}" (${kind}) has no default metric`, [
      {
        path: ["dimensions", control.name, "metric"],
        message: `Choose one of: ${metricsFor(kind).join(", ")}`,
      },
    ]);
  }
  if (!isMetricId(id)) {
    throw new AppError("BAD_REQUEST", `Unknown metric "${id}"`, [
      { path: ["dimensions", control.name, "metric"], message: `Known metrics: ${METRIC_IDS.join(", ")}` },
    ]);
  }
  const binding = BINDINGS[id][kind] ?? BINDINGS[id][ANY];
  if (!binding) {
    throw new AppError(
      "BAD_REQUEST",
      `Metric "${id}" does not apply to control "${control.name}" (${kind})`,
      [
        {
          path: ["dimensions", control.name, "metric"],
          message: `Applicable: ${metricsFor(kind).join(", ")}`,
        },
      ],
    );
  }
  const parsed = binding.schema.safeParse(choice.params ?? {});
  if (!parsed.success) {
    throw new AppError(
      "BAD_REQUEST",
      `Invalid params for metric "${id}" on control "${control.name}"`,
      parsed.error.issues.map((issue) => ({
        path: ["dimensions", control.name, "params", ...issue.path.map(String)],
        message: issue.message,
      })),
    );
  }
  const threshold = parsed.data.score_threshold as number | undefined;
  return withScoreThreshold(binding.build(parsed.data, { ...ctx, control }), threshold);
}
