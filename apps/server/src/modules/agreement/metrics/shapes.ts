/**
 * Image regions (reference §2.8, §2.9, §2.11): RectangleLabels (`iou_bboxes`), PolygonLabels
 * (`iou_polygons`) and KeyPointLabels (`keypoints_distance`).
 */
import { type Box, boxIoU, type Point, type Polygon, polygonIoU, preparePolygon } from "./geometry.js";
import { type RegionMatchOptions, type RegionSpec, regionMetric } from "./region-match.js";
import type { BoundMetric, LabelWeights, ResultItem } from "./types.js";
import { finite, labelKey, labelWeight, stringList, sumOfLabelWeights } from "./values.js";

/** The box of an LS value (`x`, `y`, `width`, `height`); missing numbers make an empty box. */
export function boxOf(value: Readonly<Record<string, unknown>>): Box {
  return {
    x: finite(value.x) ?? Number.NaN,
    y: finite(value.y) ?? Number.NaN,
    width: finite(value.width) ?? 0,
    height: finite(value.height) ?? 0,
  };
}

/** The ring of an LS polygon value (`points`: `[[x, y], …]`); malformed points are dropped. */
export function pointsOf(value: Readonly<Record<string, unknown>>): Point[] {
  const raw = value.points;
  if (!Array.isArray(raw)) return [];
  const out: Point[] = [];
  for (const p of raw) {
    if (!Array.isArray(p)) continue;
    const x = finite(p[0]);
    const y = finite(p[1]);
    if (x !== undefined && y !== undefined) out.push([x, y]);
  }
  return out;
}

export interface ShapeRegion<S> {
  readonly shape: S;
  readonly labels: string;
  readonly weight: number;
}

/** Region spec for labelled boxes (`value.rectanglelabels`). */
export function boxSpec(weights: LabelWeights, labelsKey = "rectanglelabels"): RegionSpec<ShapeRegion<Box>> {
  return {
    id: "iou_bboxes",
    prepare(item: ResultItem) {
      const labels = stringList(item.value, labelsKey);
      return {
        shape: boxOf(item.value),
        labels: labelKey(labels),
        weight: sumOfLabelWeights(weights, labels),
      };
    },
    overlap: (a, b) => boxIoU(a.shape, b.shape),
    agreement: (a, b) => (a.labels === b.labels ? 1 : 0),
    weight: (r) => r.weight,
  };
}

/** Region spec for labelled polygons (`value.polygonlabels`). */
export function polygonSpec(
  weights: LabelWeights,
  labelsKey = "polygonlabels",
): RegionSpec<ShapeRegion<Polygon>> {
  return {
    id: "iou_polygons",
    prepare(item: ResultItem) {
      const labels = stringList(item.value, labelsKey);
      return {
        shape: preparePolygon(pointsOf(item.value)),
        labels: labelKey(labels),
        weight: sumOfLabelWeights(weights, labels),
      };
    },
    overlap: (a, b) => polygonIoU(a.shape, b.shape),
    agreement: (a, b) => (a.labels === b.labels ? 1 : 0),
    weight: (r) => r.weight,
  };
}

/** evalme `iou_bboxes`. */
export function iouBboxes(weights: LabelWeights, options: RegionMatchOptions): BoundMetric {
  return regionMetric(boxSpec(weights), options);
}

/** evalme `iou_polygons`. */
export function iouPolygons(weights: LabelWeights, options: RegionMatchOptions): BoundMetric {
  return regionMetric(polygonSpec(weights), options);
}

export interface KeypointOptions {
  /** Tolerance in stored (percent) units; evalme: 1. Comparison is strict `<`. */
  readonly maxDistance: number;
  /** `box` (evalme): |dx| < d and |dy| < d. `euclidean` (LS docs "distance threshold"): √(dx²+dy²) < d. */
  readonly distance: "box" | "euclidean";
}

interface Keypoint {
  readonly x: number;
  readonly y: number;
  readonly label: string | undefined;
}

const keypointOf = (item: ResultItem): Keypoint => ({
  x: finite(item.value.x) ?? Number.NaN,
  y: finite(item.value.y) ?? Number.NaN,
  label: stringList(item.value, "keypointlabels")[0],
});

/**
 * evalme `keypoints_distance`, `f(G, P) = Σ_matched weight(label) / |G|`: a reference point is matched
 * when a candidate has the same first label and lies within the tolerance. The weight is the label
 * weight when non-zero, else 1 (not normalised). An empty reference scores 0 (evalme divides by zero).
 */
export function keypointsDistance(
  gt: readonly ResultItem[],
  pred: readonly ResultItem[],
  weights: LabelWeights,
  options: KeypointOptions,
): number {
  if (gt.length === 0) return pred.length === 0 ? 1 : 0;
  const candidates = pred.map(keypointOf);
  const d = options.maxDistance;
  let matched = 0;
  for (const g of gt.map(keypointOf)) {
    const hit = candidates.some((p) => {
      if (p.label !== g.label) return false;
      const dx = Math.abs(p.x - g.x);
      const dy = Math.abs(p.y - g.y);
      return options.distance === "box" ? dx < d && dy < d : Math.hypot(dx, dy) < d;
    });
    if (hit) matched += g.label === undefined ? 1 : labelWeight(weights, g.label) || 1;
  }
  return matched / gt.length;
}
