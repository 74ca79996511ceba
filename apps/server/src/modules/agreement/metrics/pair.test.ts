import { describe, expect, it } from "vitest";
import { type PairDimension, prepareResult, scorePair } from "./pair.js";
import { resolveMetric } from "./registry.js";
import { box, choice, control, item } from "./test-factories.js";

function dim(tag: string, name: string, weight = 1, labelWeights = {}): PairDimension {
  const metric = resolveMetric(control(tag, name), {}, { labelWeights });
  if (!metric) throw new Error(`no metric for ${tag}`);
  return { name, weight, metric };
}
const rating = (r: number) => item("r", "rating", { rating: r });
const score = (a: unknown[], b: unknown[], dims: PairDimension[]) =>
  scorePair(prepareResult(a), prepareResult(b), dims);

describe("one pair over its dimensions (reference §1.1)", () => {
  const dims = [dim("rectanglelabels", "box", 1), dim("choices", "q", 0.5), dim("rating", "r", 0.5)];

  it("worked example: (1·0.6 + 0.5·1 + 0.5·0) / 2 = 0.55", () => {
    const a = [box(0, 0, 20, 20), choice("q", "Yes"), rating(3)];
    const b = [box(5, 0, 20, 20), choice("q", "Yes"), rating(2)];
    const s = score(a, b, dims);
    expect(s.overall).toBeCloseTo(0.55, 12);
    expect(s.dimensions.get("box")).toBeCloseTo(0.6, 12);
  });

  it("a control used by one side only is a dimension scoring 0", () => {
    const a = [box(0, 0, 20, 20), choice("q", "Yes"), rating(3)];
    const b = [box(0, 0, 20, 20), choice("q", "Yes")];
    const s = score(a, b, dims);
    expect(s.dimensions.get("r")).toBe(0);
    expect(s.overall).toBeCloseTo((1 + 0.5) / 2, 12);
  });

  it("a control used by neither side is not a dimension (not counted as agreement)", () => {
    const two = [dim("choices", "q1"), dim("choices", "q2")];
    const s = score([choice("q1", "A")], [choice("q1", "A")], two);
    expect(s.dimensions.get("q2")).toBeNull();
    expect(s.overall).toBe(1);
    // The older docs count an unanswered control as a match and would give 0.5 here.
    expect(score([choice("q1", "A")], [choice("q1", "B")], two).overall).toBe(0);
  });

  it("two Choices controls, one equal and one different → 0.5", () => {
    const two = [dim("choices", "q1"), dim("choices", "q2")];
    const s = score([choice("q1", "A"), choice("q2", "X")], [choice("q1", "A"), choice("q2", "Y")], two);
    expect(s.overall).toBe(0.5);
  });

  it("both results empty → 1; weight 0 leaves the overall", () => {
    expect(score([], [], dims).overall).toBe(1);
    const weighted = [dim("choices", "q1", 1), dim("choices", "q2", 0)];
    const s = score([choice("q1", "A"), choice("q2", "X")], [choice("q1", "A"), choice("q2", "Y")], weighted);
    expect(s.overall).toBe(1);
    expect(s.dimensions.get("q2")).toBe(0);
  });

  it("nothing comparable (only relations, unknown controls, weight-0 controls) → null", () => {
    const relation = { type: "relation", from_id: "a", to_id: "b", direction: "right" };
    expect(score([relation], [], dims).overall).toBeNull();
    expect(score([choice("other", "A")], [choice("other", "A")], dims).overall).toBeNull();
    expect(score([choice("q", "A")], [choice("q", "A")], [dim("choices", "q", 0)]).overall).toBeNull();
  });

  it("dimension scores enter unclipped, the pair score is clipped (label weight 3)", () => {
    const two = [dim("choices", "q1", 1, { Red: 3 }), dim("choices", "q2")];
    const s = score([choice("q1", "Red"), choice("q2", "X")], [choice("q1", "Red"), choice("q2", "Y")], two);
    expect(s.dimensions.get("q1")).toBe(1);
    expect(s.overall).toBe(1); // (3 + 0) / 2 = 1.5 → 1; clipping each dimension first would give 0.5
    const half = [dim("choices", "q1", 1, { Red: 0.5 }), dim("choices", "q2")];
    expect(
      score([choice("q1", "Red"), choice("q2", "X")], [choice("q1", "Red"), choice("q2", "X")], half).overall,
    ).toBe(0.75);
  });
});
