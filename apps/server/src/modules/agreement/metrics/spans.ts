/**
 * Spans (reference §2.6, §2.7): Labels (NER), TimeSeriesLabels and HyperTextLabels, evalme
 * `intersection_text_tagging` and `intersection_html_tagging`.
 */
import { intervalIoU } from "./geometry.js";
import { type RegionMatchOptions, type RegionSpec, regionMetric } from "./region-match.js";
import type { BoundMetric, LabelWeights, ResultItem } from "./types.js";
import { labelKey, stringList, sumOfLabelWeights } from "./values.js";

/**
 * A span end: a number, or (time series) a date-time string read as an instant in milliseconds.
 * Anything else is NaN, which overlaps nothing.
 */
export function spanCoordinate(x: unknown): number {
  if (typeof x === "number") return x;
  if (typeof x !== "string" || x.trim() === "") return Number.NaN;
  const n = Number(x);
  return Number.isFinite(n) ? n : Date.parse(x);
}

/** 1-D IoU of two `[start, end)` spans given as LS values. */
export function spanIoU(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): number {
  const iou = intervalIoU(
    spanCoordinate(a.start),
    spanCoordinate(a.end),
    spanCoordinate(b.start),
    spanCoordinate(b.end),
  );
  return Number.isFinite(iou) ? iou : 0;
}

/**
 * HyperText IoU: the `start` XPaths and the `end` XPaths must be identical, then 1-D IoU on
 * `startOffset`/`endOffset` (`globalOffsets` are not used, as in evalme).
 */
export function htmlSpanIoU(
  a: Readonly<Record<string, unknown>>,
  b: Readonly<Record<string, unknown>>,
): number {
  if (typeof a.start !== "string" || a.start !== b.start || typeof a.end !== "string" || a.end !== b.end)
    return 0;
  const iou = intervalIoU(
    spanCoordinate(a.startOffset),
    spanCoordinate(a.endOffset),
    spanCoordinate(b.startOffset),
    spanCoordinate(b.endOffset),
  );
  return Number.isFinite(iou) ? iou : 0;
}

interface LabelledRegion {
  readonly value: Readonly<Record<string, unknown>>;
  readonly labels: string;
  readonly weight: number;
}

/** Region spec for labelled spans whose labels live under `value[labelsKey]`. */
export function spanSpec(
  id: string,
  labelsKey: string,
  weights: LabelWeights,
  iou: (a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>) => number,
): RegionSpec<LabelledRegion> {
  return {
    id,
    prepare(item: ResultItem) {
      const labels = stringList(item.value, labelsKey);
      return { value: item.value, labels: labelKey(labels), weight: sumOfLabelWeights(weights, labels) };
    },
    overlap: (a, b) => iou(a.value, b.value),
    agreement: (a, b) => (a.labels === b.labels ? 1 : 0),
    weight: (r) => r.weight,
  };
}

/** evalme `intersection_text_tagging` for Labels (`labels`) and TimeSeriesLabels (`timeserieslabels`). */
export function intersectionTextTagging(
  labelsKey: string,
  weights: LabelWeights,
  options: RegionMatchOptions,
): BoundMetric {
  return regionMetric(spanSpec("intersection_text_tagging", labelsKey, weights, spanIoU), options);
}

/** evalme `intersection_html_tagging` for HyperTextLabels. */
export function intersectionHtmlTagging(weights: LabelWeights, options: RegionMatchOptions): BoundMetric {
  return regionMetric(
    spanSpec("intersection_html_tagging", "hypertextlabels", weights, htmlSpanIoU),
    options,
  );
}
