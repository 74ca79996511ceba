import { describe, expect, it } from "vitest";
import { perRegionChoices, perRegionTextarea, regionKind } from "./per-region.js";
import { item } from "./test-factories.js";

const evalme = { thresholdComparison: "gt", aggregation: "min" } as const;
const lev = { algorithm: "Levenshtein", qval: 1, emptyStringsMatch: false } as const;
const spanChoice = (start: number, end: number, ...choices: string[]) =>
  item("sentiment", "choices", { start, end, text: "…", choices });
const boxChoice = (x: number, ...choices: string[]) =>
  item("quality", "choices", { x, y: 0, width: 20, height: 20, rotation: 0, choices });
const boxText = (x: number, text: string) =>
  item("note", "textarea", { x, y: 0, width: 20, height: 20, text: [text] });

describe("region kind (reference §1.1 step 3)", () => {
  it.each([
    [{ start: 0, end: 4 }, "span"],
    [{ start: "/p[1]", end: "/p[1]", startOffset: 0, endOffset: 3 }, "html"],
    [{ x: 1, y: 2, width: 3, height: 4 }, "bbox"],
    [{ points: [[0, 0]] }, "poly"],
    [{ choices: ["a"] }, "none"],
  ])("%j → %s", (value, kind) => {
    expect(regionKind(value)).toBe(kind);
  });
});

describe("per_region_choices", () => {
  const metric = perRegionChoices({}, evalme);

  it("span IoU × (choice lists equal)", () => {
    expect(metric.score([spanChoice(0, 10, "Pos")], [spanChoice(5, 10, "Pos")])).toBe(0.5);
    expect(metric.score([spanChoice(0, 10, "Pos")], [spanChoice(0, 10, "Neg")])).toBe(0);
    expect(metric.score([spanChoice(0, 10, "a", "b")], [spanChoice(0, 10, "b", "a")])).toBe(1);
  });

  it("on boxes: box IoU × equality", () => {
    expect(metric.score([boxChoice(0, "Sharp")], [boxChoice(10, "Sharp")])).toBeCloseTo(1 / 3, 12);
  });

  it("regions of different kinds never overlap", () => {
    expect(metric.score([spanChoice(0, 10, "Pos")], [boxChoice(0, "Pos")])).toBe(0);
  });

  it("aggregates as spans: an unmatched region halves the worse direction", () => {
    expect(
      metric.score([spanChoice(0, 10, "Pos")], [spanChoice(0, 10, "Pos"), spanChoice(20, 30, "Neg")]),
    ).toBe(0.5);
  });
});

describe("per_region_textarea", () => {
  const metric = perRegionTextarea(lev, evalme);

  it("best (text similarity × region IoU)", () => {
    expect(metric.score([boxText(0, "kitten")], [boxText(0, "sitting")])).toBeCloseTo(4 / 7, 12);
    expect(metric.score([boxText(0, "same")], [boxText(10, "same")])).toBeCloseTo(1 / 3, 12);
    expect(metric.score([boxText(0, "kitten")], [boxText(10, "sitting")])).toBeCloseTo(4 / 21, 12);
  });

  it("picks the best product, not the best overlap", () => {
    // Candidate "abcd" overlaps ref1 fully (sim 0) and ref2 by 1/3 (sim 1).
    const refs = [boxText(0, "wxyz"), boxText(10, "abcd")];
    expect(metric.directional(refs, [boxText(0, "abcd")])).toBeCloseTo(1 / 3, 12);
  });
});
