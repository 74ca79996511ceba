/**
 * Per-region classifications (reference §1.1 step 3, §2.1, §2.5): Choices and TextArea with
 * `perRegion`, whose items carry the coordinates of the region they describe. The region kind is read
 * from the value as evalme does: `start`+`end` → span, `x`+`y` → box, `points` → polygon.
 */
import { boxIoU, type Polygon, polygonIoU, preparePolygon } from "./geometry.js";
import { type RegionMatchOptions, type RegionSpec, regionMetric } from "./region-match.js";
import { boxOf, pointsOf } from "./shapes.js";
import { htmlSpanIoU, spanIoU } from "./spans.js";
import type { TextSimilarityOptions } from "./text-distance.js";
import { itemTextSimilarity } from "./textarea.js";
import type { BoundMetric, LabelWeights, ResultItem } from "./types.js";
import { labelKey, stringList, sumOfLabelWeights } from "./values.js";

export type RegionKind = "span" | "html" | "bbox" | "poly" | "none";

/** The region kind of a per-region value. HyperText spans (XPath `start`/`end` + offsets) are told apart. */
export function regionKind(value: Readonly<Record<string, unknown>>): RegionKind {
  if (value.start !== undefined && value.end !== undefined) {
    const xpaths = typeof value.start === "string" && value.startOffset !== undefined;
    return xpaths ? "html" : "span";
  }
  if (value.x !== undefined && value.y !== undefined) return "bbox";
  if (value.points !== undefined) return "poly";
  return "none";
}

interface Located {
  readonly item: ResultItem;
  readonly kind: RegionKind;
  readonly polygon?: Polygon;
  readonly labels: string;
  readonly weight: number;
}

function locate(item: ResultItem, labels: readonly string[], weight: number): Located {
  const kind = regionKind(item.value);
  const polygon = kind === "poly" ? preparePolygon(pointsOf(item.value)) : undefined;
  return { item, kind, polygon, labels: labelKey(labels), weight };
}

/** IoU of the regions two per-region items describe; regions of different kinds never overlap. */
function regionIoU(a: Located, b: Located): number {
  if (a.kind !== b.kind) return 0;
  switch (a.kind) {
    case "span":
      return spanIoU(a.item.value, b.item.value);
    case "html":
      return htmlSpanIoU(a.item.value, b.item.value);
    case "bbox":
      return boxIoU(boxOf(a.item.value), boxOf(b.item.value));
    case "poly":
      return a.polygon && b.polygon ? polygonIoU(a.polygon, b.polygon) : 0;
    default:
      return 0;
  }
}

/** Per-region Choices: best region IoU × (choice lists equal), aggregated as spans (§2.6). */
export function perRegionChoices(weights: LabelWeights, options: RegionMatchOptions): BoundMetric {
  const spec: RegionSpec<Located> = {
    id: "per_region_choices",
    prepare(item) {
      const choices = stringList(item.value, "choices");
      return locate(item, choices, sumOfLabelWeights(weights, choices));
    },
    overlap: regionIoU,
    agreement: (a, b) => (a.labels === b.labels ? 1 : 0),
    weight: (r) => r.weight,
  };
  return regionMetric(spec, options);
}

/** Per-region TextArea: best (text similarity × region IoU), aggregated as spans (§2.6). */
export function perRegionTextarea(text: TextSimilarityOptions, options: RegionMatchOptions): BoundMetric {
  const spec: RegionSpec<Located> = {
    id: "per_region_textarea",
    prepare: (item) => locate(item, [], 1),
    overlap: regionIoU,
    agreement: (a, b) => itemTextSimilarity(a.item, b.item, text),
    costlyAgreement: true,
    weight: () => 1,
  };
  return regionMetric(spec, options);
}
