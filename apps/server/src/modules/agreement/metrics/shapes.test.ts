import { describe, expect, it } from "vitest";
import { averagePrecision, detectionMetric, mapThresholds } from "./detection.js";
import type { RegionMatchOptions } from "./region-match.js";
import { boxSpec, iouBboxes, iouPolygons, keypointsDistance, polygonSpec } from "./shapes.js";
import { box, keypoint, polygon } from "./test-factories.js";

const evalme: RegionMatchOptions = { thresholdComparison: "gt", aggregation: "min" };

describe("iou_bboxes (reference §2.8)", () => {
  const iou = iouBboxes({}, evalme);

  it.each([
    ["shifted by half a width", [box(0, 0, 20, 20)], [box(10, 0, 20, 20)], 1 / 3],
    ["same box, other label", [box(0, 0, 20, 20, "Car")], [box(0, 0, 20, 20, "Dog")], 0],
    ["two boxes vs one of them", [box(0, 0, 20, 20), box(50, 50, 20, 20)], [box(0, 0, 20, 20)], 0.5],
    [
      "rotation is ignored",
      [box(0, 0, 20, 20)],
      [{ ...box(0, 0, 20, 20), value: { ...box(0, 0, 20, 20).value, rotation: 45 } }],
      1,
    ],
  ])("%s", (_name, a, b, expected) => {
    expect(iou.score(a, b)).toBeCloseTo(expected, 12);
  });

  it("one box vs none → 0 in both directions", () => {
    expect(iou.directional([box(0, 0, 1, 1)], [])).toBe(0);
    expect(iou.directional([], [box(0, 0, 1, 1)])).toBe(0);
  });

  it("label weights weight the candidate boxes", () => {
    const a = [box(0, 0, 20, 20, "Car")];
    const b = [box(0, 0, 20, 20, "Car"), box(50, 50, 10, 10, "Dog")];
    expect(iouBboxes({ Dog: 3 }, evalme).score(a, b)).toBe(0.25);
    expect(iouBboxes({ Car: 3 }, evalme).score(a, b)).toBe(0.75);
  });

  it("LS docs pooled variant and thresholded best matches", () => {
    const a = [box(0, 0, 20, 20)];
    const b = [box(0, 0, 20, 20), box(50, 50, 20, 20)];
    expect(iouBboxes({}, { ...evalme, aggregation: "pooled" }).score(a, b)).toBeCloseTo(2 / 3, 12);
    const shifted = [box(10, 0, 20, 20)];
    expect(iouBboxes({}, { ...evalme, iouThreshold: 0.3 }).score(a, shifted)).toBe(1);
    expect(iouBboxes({}, { ...evalme, iouThreshold: 0.5 }).score(a, shifted)).toBe(0);
  });
});

describe("precision / recall / F1 / mAP over boxes", () => {
  const stat = (s: "precision" | "recall" | "f1" | "mAP", t = 0.5) =>
    detectionMetric(`${s}_bboxes`, boxSpec({}), s, { iouThreshold: t, thresholdComparison: "gte" });

  it("every same-label pair counts: identical annotations with two far-apart Cars → P 1, R 0.5, F1 2/3", () => {
    const a = [box(0, 0, 10, 10), box(80, 80, 10, 10)];
    const b = [box(0, 0, 10, 10), box(80, 80, 10, 10)];
    expect(stat("precision").score(a, b)).toBe(1);
    expect(stat("recall").score(a, b)).toBe(0.5);
    expect(stat("f1").score(a, b)).toBeCloseTo(2 / 3, 12);
  });

  it("different labels overlapping → FP; same label below threshold → FN", () => {
    expect(stat("precision").score([box(0, 0, 10, 10, "Car")], [box(0, 0, 10, 10, "Dog")])).toBe(0);
    const a = [box(0, 0, 10, 10)];
    const b = [box(5, 0, 10, 10)]; // IoU 1/3
    expect(stat("recall").score(a, b)).toBe(0);
    expect(stat("recall", 0.3).score(a, b)).toBe(1);
    expect(stat("f1", 1 / 3).score(a, b)).toBe(1); // ≥ t: IoU equal to t passes
  });

  it("mAP: thresholds 0.2 … < t closed by (P 1, R 0)", () => {
    expect(mapThresholds(0.5)).toEqual([0.2, 0.25, 0.3, 0.35, 0.4, 0.45]);
    expect(averagePrecision([{ precision: 1, recall: 0.5 }])).toBe(0.5);
    expect(
      averagePrecision([
        { precision: 0.5, recall: 1 },
        { precision: 1, recall: 0.5 },
      ]),
    ).toBe(0.75);
    expect(stat("mAP").score([box(0, 0, 10, 10)], [box(0, 0, 10, 10)])).toBe(1);
    // Same-label pairs: one exact (TP), one far apart (FN) at every threshold → R 0.5, P 1 → AP 0.5.
    expect(stat("mAP").score([box(0, 0, 10, 10)], [box(0, 0, 10, 10), box(80, 80, 5, 5)])).toBe(0.5);
  });
});

describe("iou_polygons (reference §2.9)", () => {
  const sq = (x: number, s = 20): [number, number][] => [
    [x, 0],
    [x + s, 0],
    [x + s, s],
    [x, s],
  ];

  it("square vs shifted square → 1/3; square vs half triangle → 0.5; other label → 0", () => {
    const iou = iouPolygons({}, evalme);
    expect(iou.score([polygon(sq(0))], [polygon(sq(10))])).toBeCloseTo(1 / 3, 12);
    expect(
      iou.score(
        [polygon(sq(0))],
        [
          polygon([
            [0, 0],
            [20, 0],
            [20, 20],
          ]),
        ],
      ),
    ).toBeCloseTo(0.5, 12);
    expect(iou.score([polygon(sq(0), "Car")], [polygon(sq(0), "Dog")])).toBe(0);
  });

  it("precision over polygons uses polygon IoU", () => {
    const p = detectionMetric("precision_polygons", polygonSpec({}), "precision", {
      iouThreshold: 0.3,
      thresholdComparison: "gte",
    });
    expect(p.score([polygon(sq(0))], [polygon(sq(10))])).toBe(1);
  });
});

describe("keypoints_distance (reference §2.11)", () => {
  const box1 = { maxDistance: 1, distance: "box" } as const;
  const both = (a: ReturnType<typeof keypoint>[], b: ReturnType<typeof keypoint>[], w = {}, o = box1) =>
    Math.min(keypointsDistance(a, b, w, o), keypointsDistance(b, a, w, o));

  it.each([
    ["within ±1", [keypoint(50, 50)], [keypoint(50.9, 49.2)], 1],
    ["|dx| = 1 is not < 1", [keypoint(50, 50)], [keypoint(51, 50)], 0],
    ["other label", [keypoint(50, 50, "Nose")], [keypoint(50, 50, "Eye")], 0],
    ["two points vs one matching", [keypoint(50, 50), keypoint(10, 10, "Eye")], [keypoint(50, 50)], 0.5],
  ])("%s", (_name, a, b, expected) => {
    expect(both(a, b)).toBe(expected);
  });

  it("label weight scales without normalisation; weight 0 counts as 1", () => {
    expect(both([keypoint(50, 50)], [keypoint(50, 50)], { Nose: 0.5 })).toBe(0.5);
    expect(both([keypoint(50, 50)], [keypoint(50, 50)], { Nose: 0 })).toBe(1);
  });

  it("an empty reference scores 0 (evalme would divide by zero)", () => {
    expect(keypointsDistance([], [keypoint(1, 1)], {}, box1)).toBe(0);
  });

  it("LS docs variant: euclidean distance", () => {
    const a = [keypoint(50, 50)];
    const b = [keypoint(50.8, 50.8)];
    expect(both(a, b)).toBe(1);
    expect(both(a, b, {}, { maxDistance: 1, distance: "euclidean" } as never)).toBe(0);
    expect(both(a, b, {}, { maxDistance: 1.2, distance: "euclidean" } as never)).toBe(1);
  });
});
