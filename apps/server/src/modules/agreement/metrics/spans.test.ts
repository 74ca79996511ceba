import { describe, expect, it } from "vitest";
import type { RegionMatchOptions } from "./region-match.js";
import { htmlSpanIoU, intersectionHtmlTagging, intersectionTextTagging, spanCoordinate } from "./spans.js";
import { item, span } from "./test-factories.js";

const evalme: RegionMatchOptions = { thresholdComparison: "gt", aggregation: "min" };
const tagging = (weights = {}, options: Partial<RegionMatchOptions> = {}) =>
  intersectionTextTagging("labels", weights, { ...evalme, ...options });

describe("intersection_text_tagging (reference §2.6)", () => {
  it("'Excellent tool' [0,14) vs 'tool' [10,14), same label → 4/14", () => {
    expect(tagging().score([span(0, 14, "Pos")], [span(10, 14, "Pos")])).toBeCloseTo(4 / 14, 12);
  });

  it("different labels never match; touching spans do not overlap", () => {
    expect(tagging().score([span(0, 10, "Person")], [span(0, 10, "Loc")])).toBe(0);
    expect(tagging().score([span(0, 5, "Person")], [span(5, 10, "Person")])).toBe(0);
  });

  it("iou_threshold: strict > by default, ≥ with the LS docs comparison", () => {
    const a = [span(0, 10, "Person")];
    const b = [span(5, 10, "Person")];
    expect(tagging().score(a, b)).toBe(0.5);
    expect(tagging({}, { iouThreshold: 0.5 }).score(a, b)).toBe(0);
    expect(tagging({}, { iouThreshold: 0.49 }).score(a, b)).toBe(1);
    expect(tagging({}, { iouThreshold: 0.5, thresholdComparison: "gte" }).score(a, b)).toBe(1);
  });

  it("unmatched regions pull the worse direction down: min(1/2, 1) → 0.5; Loc weight 3 → 0.25", () => {
    const a = [span(0, 10, "Person")];
    const b = [span(0, 10, "Person"), span(20, 30, "Loc")];
    expect(tagging().directional(a, b)).toBe(0.5);
    expect(tagging().directional(b, a)).toBe(1);
    expect(tagging().score(a, b)).toBe(0.5);
    expect(tagging({ Loc: 3 }).score(a, b)).toBe(0.25);
  });

  it("LS docs two-way greedy (pooled): (1 + 1 + 0) / 3", () => {
    const a = [span(0, 10, "Person")];
    const b = [span(0, 10, "Person"), span(20, 30, "Loc")];
    expect(tagging({}, { aggregation: "pooled" }).score(a, b)).toBeCloseTo(2 / 3, 12);
  });

  it("no one-to-one assignment: two candidates may use the same reference", () => {
    const a = [span(0, 10, "X")];
    const b = [span(0, 10, "X"), span(0, 10, "X")];
    expect(tagging().score(a, b)).toBe(1);
  });

  it("LSE flag: the best-overlap region is chosen regardless of label, only its label match kept", () => {
    expect(
      tagging({}, { labelAgnosticBestMatch: true }).score([span(0, 14, "Pos")], [span(10, 14, "Pos")]),
    ).toBe(1);
    const a = [span(0, 10, "Person")];
    const b = [span(0, 10, "Loc"), span(2, 5, "Person")];
    // evalme: candidates of b → (0 + 0.3)/2; candidates of a → 0.3.
    expect(tagging().score(a, b)).toBeCloseTo(0.15, 12);
    // flag: a's Person overlaps Loc best (IoU 1) → label mismatch → 0.
    expect(tagging({}, { labelAgnosticBestMatch: true }).score(a, b)).toBe(0);
  });

  it("empty sides: both → 1, one → 0", () => {
    expect(tagging().directional([], [])).toBe(1);
    expect(tagging().directional([span(0, 1, "A")], [])).toBe(0);
    expect(tagging().directional([], [span(0, 1, "A")])).toBe(0);
  });

  it("time series: date-time ends are instants", () => {
    const ts = (s: string, e: string) =>
      item("ts", "timeserieslabels", { start: s, end: e, timeserieslabels: ["Up"] });
    const metric = intersectionTextTagging("timeserieslabels", {}, evalme);
    expect(
      metric.score(
        [ts("2024-01-01T00:00:00Z", "2024-01-01T10:00:00Z")],
        [ts("2024-01-01T05:00:00Z", "2024-01-01T10:00:00Z")],
      ),
    ).toBe(0.5);
    expect(spanCoordinate("12.5")).toBe(12.5);
    expect(Number.isNaN(spanCoordinate("not a date"))).toBe(true);
  });
});

describe("intersection_html_tagging (reference §2.7)", () => {
  const html = (start: string, so: number, end: string, eo: number, label = "Name") =>
    item("html", "hypertextlabels", { start, end, startOffset: so, endOffset: eo, hypertextlabels: [label] });

  it("same XPaths, offsets [2,8) vs [4,10) → 4/8", () => {
    expect(htmlSpanIoU(html("/p[1]", 2, "/p[1]", 8).value, html("/p[1]", 4, "/p[1]", 10).value)).toBe(0.5);
    const metric = intersectionHtmlTagging({}, evalme);
    expect(metric.score([html("/p[1]", 2, "/p[1]", 8)], [html("/p[1]", 4, "/p[1]", 10)])).toBe(0.5);
  });

  it("a selection ending in another node never overlaps; labels must be equal", () => {
    const metric = intersectionHtmlTagging({}, evalme);
    expect(metric.score([html("/p[1]", 2, "/p[1]", 8)], [html("/p[1]", 2, "/p[2]", 8)])).toBe(0);
    expect(metric.score([html("/p[1]", 2, "/p[1]", 8, "A")], [html("/p[1]", 2, "/p[1]", 8, "B")])).toBe(0);
  });
});
