import { describe, expect, it } from "vitest";
import { exactMatchingChoices, naive, numericMatch, valueEquality } from "./classification.js";
import { choice, item } from "./test-factories.js";

const exact = { mode: "exact", ordered: false } as const;
const both = (f: (a: never[], b: never[]) => number, a: unknown[], b: unknown[]) =>
  Math.min(f(a as never[], b as never[]), f(b as never[], a as never[]));

describe("exact_matching_choices on Choices (reference §2.1)", () => {
  const score = (a: string[][], b: string[][], weights = {}, options: typeof exact | object = exact) => {
    const f = (x: never[], y: never[]) => exactMatchingChoices(x, y, weights, { ...exact, ...options });
    return both(
      f,
      a.map((c) => choice("q", ...c)),
      b.map((c) => choice("q", ...c)),
    );
  };

  it.each([
    ["different single choice", [["Red"]], [["Blue"]], 0],
    ["same single choice", [["Red"]], [["Red"]], 1],
    ["multi-select in another order (evalme sorts)", [["Red", "Blue"]], [["Blue", "Red"]], 1],
    ["subset: no partial credit", [["Red", "Blue"]], [["Red"]], 0],
    ["items paired by position, extra items ignored", [["Red"], ["Blue"]], [["Red"]], 1],
    ["second pair differs", [["Red"], ["Blue"]], [["Red"], ["Green"]], 0],
  ])("%s", (_name, a, b, expected) => {
    expect(score(a, b)).toBe(expected);
  });

  it("empty sides: both → 1, one → 0", () => {
    expect(exactMatchingChoices([], [], {}, exact)).toBe(1);
    expect(exactMatchingChoices([choice("q", "Red")], [], {}, exact)).toBe(0);
    expect(exactMatchingChoices([], [choice("q", "Red")], {}, exact)).toBe(0);
  });

  it("a label weight scales a perfect match (0.5 → 0.5, 3 → 3 before the pair clip)", () => {
    expect(score([["Red"]], [["Red"]], { Red: 0.5 })).toBe(0.5);
    expect(score([["Red"]], [["Red"]], { Red: 3 })).toBe(3);
    // Mean weight of the matched labels: (0.5 + 1) / 2.
    expect(score([["Red", "Blue"]], [["Blue", "Red"]], { Red: 0.5 })).toBe(0.75);
    // A weight never rescues a mismatch.
    expect(score([["Red"]], [["Blue"]], { Red: 3, Blue: 3 })).toBe(0);
  });

  it("LS docs variant `ordered`: the same labels in another order do not match", () => {
    expect(score([["Red", "Blue"]], [["Blue", "Red"]], {}, { ordered: true })).toBe(0);
    expect(score([["Red", "Blue"]], [["Red", "Blue"]], {}, { ordered: true })).toBe(1);
  });

  it("LS docs variant `jaccard`: |A∩B| / |A∪B|, weighted by label weights", () => {
    expect(score([["Red", "Blue"]], [["Red"]], {}, { mode: "jaccard" })).toBe(0.5);
    expect(score([["a", "b"]], [["b", "c"]], {}, { mode: "jaccard" })).toBeCloseTo(1 / 3, 12);
    // weights a=1, b=2, c=1 → 2 / 4.
    expect(score([["a", "b"]], [["b", "c"]], { b: 2 }, { mode: "jaccard" })).toBe(0.5);
    expect(score([[]], [[]], {}, { mode: "jaccard" })).toBe(1);
  });
});

describe("numbers and ratings (reference §2.3, §2.4)", () => {
  const rating = (r: number) => item("r", "rating", { rating: r });
  const number = (n: number) => item("n", "number", { number: n });
  const rate = (
    a: number,
    b: number,
    mode: "exact" | "difference" | "threshold" = "exact",
    maxDifference = 1,
  ) => numericMatch([rating(a)], [rating(b)], "rating", { mode, maxDifference });

  it("evalme: exact equality", () => {
    expect(rate(4, 4)).toBe(1);
    expect(rate(4, 5)).toBe(0);
    expect(numericMatch([number(7)], [number(7.0)], "number", { mode: "exact", maxDifference: 1 })).toBe(1);
    expect(numericMatch([number(7)], [number(8)], "number", { mode: "exact", maxDifference: 1 })).toBe(0);
  });

  it("LS docs Numeric Difference: 1 / (1 + |a − b|)", () => {
    expect(rate(4, 5, "difference")).toBe(0.5);
    expect(rate(5, 1, "difference")).toBe(0.2);
    expect(
      numericMatch([number(30)], [number(32)], "number", { mode: "difference", maxDifference: 1 }),
    ).toBeCloseTo(1 / 3, 12);
  });

  it("LS docs threshold variant: |a − b| ≤ max difference", () => {
    expect(rate(4, 5, "threshold")).toBe(1);
    expect(rate(5, 3, "threshold")).toBe(0);
    expect(rate(5, 3, "threshold", 2)).toBe(1);
  });

  it("an empty side scores 0", () => {
    expect(numericMatch([rating(4)], [], "rating", { mode: "exact", maxDifference: 1 })).toBe(0);
    expect(numericMatch([], [number(1)], "number", { mode: "difference", maxDifference: 1 })).toBe(0);
  });
});

describe("datetime_match and exact_matching_pairwise", () => {
  const dt = (d: string) => item("d", "datetime", { datetime: d });
  const pw = (s: string) => item("p", "pairwise", { selected: s });

  it("datetime: plain string equality", () => {
    expect(valueEquality([dt("2024-01-01")], [dt("2024-01-01")], "datetime")).toBe(1);
    expect(valueEquality([dt("2024-01-01")], [dt("2024-01-01T00:00")], "datetime")).toBe(0);
    expect(valueEquality([dt("2024-01-01")], [], "datetime")).toBe(0);
  });

  it("pairwise: `selected` left/right", () => {
    expect(valueEquality([pw("left")], [pw("left")], "selected")).toBe(1);
    expect(valueEquality([pw("left")], [pw("right")], "selected")).toBe(0);
    expect(valueEquality([pw("left")], [item("p", "pairwise", {})], "selected")).toBe(0);
  });
});

describe("naive (reference §2.10, ellipses and ranker)", () => {
  const ellipse = (x: number, label = "Eye") =>
    item("e", "ellipselabels", { x, y: 10, radiusX: 5, radiusY: 3, rotation: 0, ellipselabels: [label] });

  it("whole values equal, order of items ignored", () => {
    expect(naive([ellipse(1), ellipse(2)], [ellipse(2), ellipse(1)])).toBe(1);
  });

  it("any coordinate change → that item does not match", () => {
    expect(naive([ellipse(1)], [ellipse(1.001)])).toBe(0);
    expect(naive([ellipse(1), ellipse(2)], [ellipse(1), ellipse(3)])).toBe(0.5);
  });

  it("different item counts or an empty side → 0", () => {
    expect(naive([ellipse(1)], [ellipse(1), ellipse(2)])).toBe(0);
    expect(naive([ellipse(1)], [])).toBe(0);
  });

  it("ranker: key order inside the value is irrelevant, list order is not", () => {
    const rank = (ids: string[]) => item("rank", "ranker", { ranker: { results: ids } });
    expect(naive([rank(["a", "b"])], [rank(["a", "b"])])).toBe(1);
    expect(naive([rank(["a", "b"])], [rank(["b", "a"])])).toBe(0);
  });
});
