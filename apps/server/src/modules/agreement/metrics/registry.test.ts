import { describe, expect, it } from "vitest";
import { AppError } from "../../../lib/app-error.js";
import { controlKind, DEFAULT_METRICS, METRIC_IDS, metricsFor, resolveMetric } from "./registry.js";
import { box, choice, control, span, text } from "./test-factories.js";

const resolve = (tag: string, metric?: string, params?: Record<string, unknown>, perRegion = false) =>
  resolveMetric(control(tag, "c", { perRegion }), { metric, params }, { labelWeights: {} });

function badRequest(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("BAD_REQUEST");
    return error as AppError;
  }
  throw new Error("expected a BAD_REQUEST");
}

describe("defaults per control type (reference §2 table)", () => {
  it.each([
    ["choices", "exact_matching_choices"],
    ["taxonomy", "intersection_taxonomy"],
    ["rating", "exact_matching_choices"],
    ["number", "numbers_match"],
    ["datetime", "datetime_match"],
    ["textarea", "match_textareas"],
    ["labels", "intersection_text_tagging"],
    ["hypertextlabels", "intersection_html_tagging"],
    ["timeserieslabels", "intersection_text_tagging"],
    ["rectanglelabels", "iou_bboxes"],
    ["polygonlabels", "iou_polygons"],
    ["ellipselabels", "naive"],
    ["keypointlabels", "keypoints_distance"],
    ["brushlabels", "iou_brush"],
    ["pairwise", "exact_matching_pairwise"],
    ["ranker", "naive"],
  ])("%s → %s", (tag, id) => {
    expect(resolve(tag)?.id).toBe(id);
  });

  it("per-region Choices and TextArea have their own kind and default", () => {
    expect(controlKind(control("choices", "c", { perRegion: true }))).toBe("choices[per_region]");
    expect(resolve("choices", undefined, undefined, true)?.id).toBe("per_region_choices");
    expect(resolve("textarea", undefined, undefined, true)?.id).toBe("per_region_textarea");
    // Rating keeps its type even per region, as in evalme.
    expect(controlKind(control("rating", "c", { perRegion: true }))).toBe("rating");
  });

  it("every default is a known id that applies to its kind", () => {
    for (const [kind, id] of Object.entries(DEFAULT_METRICS)) {
      expect(METRIC_IDS).toContain(id);
      expect(metricsFor(kind)).toContain(id);
    }
  });

  it("a control without a metric is skipped, but may use the generic `naive`", () => {
    expect(resolve("videorectangle")).toBeUndefined();
    expect(resolve("videorectangle", "naive")?.id).toBe("naive");
  });
});

describe("validation → BAD_REQUEST with details", () => {
  it("unknown metric id", () => {
    const error = badRequest(() => resolve("choices", "jaccard"));
    expect(error.message).toContain("Unknown metric");
    expect(error.details).toEqual([expect.objectContaining({ path: ["dimensions", "c", "metric"] })]);
  });

  it("a metric that does not fit the control", () => {
    const error = badRequest(() => resolve("choices", "iou_bboxes"));
    expect(error.message).toContain("does not apply");
  });

  it("bad or unknown params", () => {
    const range = badRequest(() => resolve("labels", undefined, { iou_threshold: 2 }));
    expect(range.details).toEqual([
      expect.objectContaining({ path: ["dimensions", "c", "params", "iou_threshold"] }),
    ]);
    badRequest(() => resolve("labels", undefined, { iou_treshold: 0.5 }));
    badRequest(() => resolve("textarea", undefined, { algorithm: "SmithWaterman" }));
    badRequest(() => resolve("rating", undefined, { mode: "jaccard" }));
    badRequest(() => resolve("videorectangle", undefined, { foo: 1 }));
  });

  it("params change the bound metric", () => {
    const a = [choice("c", "Red", "Blue")];
    const b = [choice("c", "Red")];
    expect(resolve("choices")?.score(a, b)).toBe(0);
    expect(resolve("choices", "exact_matching_choices", { mode: "jaccard" })?.score(a, b)).toBe(0.5);
  });

  it("score_threshold (LS docs '(Threshold)' variant) binarises with ≥", () => {
    const a = [text("kitten", "c")];
    const b = [text("sitting", "c")];
    expect(resolve("textarea", undefined, { score_threshold: 0.85 })?.score(a, b)).toBe(0);
    expect(resolve("textarea", undefined, { score_threshold: 0.5 })?.score(a, b)).toBe(1);
    expect(resolve("textarea", undefined, { score_threshold: 4 / 7 })?.score(a, b)).toBe(1);
  });
});

describe("parameter defaults are evalme's", () => {
  it("span thresholds are strict (IoU 0.5 fails 0.5) unless `gte` is asked for", () => {
    const a = [span(0, 10, "P", "c")];
    const b = [span(5, 10, "P", "c")];
    expect(resolve("labels", undefined, { iou_threshold: 0.5 })?.score(a, b)).toBe(0);
    expect(
      resolve("labels", undefined, { iou_threshold: 0.5, threshold_comparison: "gte" })?.score(a, b),
    ).toBe(1);
  });

  it("precision/recall compare IoU ≥ 0.5 by default", () => {
    const a = [box(0, 0, 10, 10, "Car", "c")];
    const b = [box(0, 0, 10, 5, "Car", "c")]; // IoU exactly 0.5
    expect(resolve("rectanglelabels", "recall_bboxes")?.score(a, b)).toBe(1);
    expect(resolve("rectanglelabels", "recall_bboxes", { threshold_comparison: "gt" })?.score(a, b)).toBe(0);
    expect(resolve("rectanglelabels", "recall_bboxes", { iou_threshold: 0.6 })?.score(a, b)).toBe(0);
  });

  it("regions aggregate as the min of both directions unless `pooled`", () => {
    const a = [span(0, 10, "P", "c")];
    const b = [span(0, 10, "P", "c"), span(20, 30, "L", "c")];
    expect(resolve("labels")?.score(a, b)).toBe(0.5);
    expect(resolve("labels", undefined, { aggregation: "pooled" })?.score(a, b)).toBeCloseTo(2 / 3, 12);
  });

  it("numbers are exact, text is character Levenshtein, keypoints a ±1 box", () => {
    const n = (x: number) => [{ from_name: "c", value: { number: x } }];
    expect(resolve("number")?.score(n(1), n(2))).toBe(0);
    expect(resolve("number", undefined, { mode: "difference" })?.score(n(1), n(2))).toBe(0.5);
    expect(resolve("textarea")?.score([text("kitten", "c")], [text("sitting", "c")])).toBeCloseTo(4 / 7, 12);
    const kp = (x: number) => [{ from_name: "c", value: { x, y: 0, keypointlabels: ["N"] } }];
    expect(resolve("keypointlabels")?.score(kp(0), kp(0.9))).toBe(1);
    expect(resolve("keypointlabels")?.score(kp(0), kp(1))).toBe(0);
  });
});
