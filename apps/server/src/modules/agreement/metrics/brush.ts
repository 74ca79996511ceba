/** BrushLabels (reference §2.12): evalme `iou_brush` over LS RLE masks. */
import { decodeRleRuns, type MaskRuns } from "./brush-rle.js";
import { type RegionMatchOptions, type RegionSpec, regionMetric } from "./region-match.js";
import type { BoundMetric, LabelWeights, ResultItem } from "./types.js";
import { labelKey, meanOfLabelWeights, stringList } from "./values.js";

/** Mask IoU over the non-zero entries of the flat arrays: |a ∧ b| / max(|a ∨ b|, 1). */
export function maskIoU(a: MaskRuns, b: MaskRuns): number {
  const ra = a.runs;
  const rb = b.runs;
  // Masks whose run spans do not meet cannot overlap.
  if (ra.length === 0 || rb.length === 0) return 0;
  if (
    (ra[ra.length - 1] as number) <= (rb[0] as number) ||
    (rb[rb.length - 1] as number) <= (ra[0] as number)
  ) {
    return 0;
  }
  let inter = 0;
  let i = 0;
  let j = 0;
  while (i < ra.length && j < rb.length) {
    const a0 = ra[i] as number;
    const a1 = ra[i + 1] as number;
    const b0 = rb[j] as number;
    const b1 = rb[j + 1] as number;
    const overlap = Math.min(a1, b1) - Math.max(a0, b0);
    if (overlap > 0) inter += overlap;
    if (a1 < b1) i += 2;
    else j += 2;
  }
  return inter / Math.max(a.count + b.count - inter, 1);
}

/** The mask of a brush item: `value.rle` (a list of bytes); anything else is an empty mask. */
export function maskOf(item: ResultItem): MaskRuns {
  const rle = item.value.rle;
  if (!Array.isArray(rle) || !rle.every((x) => typeof x === "number"))
    return { length: 0, runs: [], count: 0 };
  return decodeRleRuns(rle as number[]);
}

interface MaskRegion {
  readonly mask: MaskRuns;
  readonly labels: string;
  readonly weight: number;
}

/** Region spec of brush masks: identical labels required, weight = mean label weight, iterate references. */
export function brushSpec(weights: LabelWeights): RegionSpec<MaskRegion> {
  return {
    id: "iou_brush",
    iterate: "references",
    prepare(item: ResultItem) {
      const labels = stringList(item.value, "brushlabels");
      return { mask: maskOf(item), labels: labelKey(labels), weight: meanOfLabelWeights(weights, labels) };
    },
    overlap: (a, b) => maskIoU(a.mask, b.mask),
    agreement: (a, b) => (a.labels === b.labels ? 1 : 0),
    weight: (r) => r.weight,
  };
}

/** evalme `iou_brush`: for every reference mask, its best IoU over candidate masks with identical labels. */
export function iouBrush(weights: LabelWeights, options: RegionMatchOptions): BoundMetric {
  return regionMetric(brushSpec(weights), options);
}
