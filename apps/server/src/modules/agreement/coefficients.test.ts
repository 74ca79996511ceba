import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countTable, fleissKappa, krippendorffAlpha } from "./coefficients.js";

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers (rows),
// 12 units (columns), missing values as null. Published results: nominal α = 0.743, interval α = 0.849.
const OBSERVERS: (number | null)[][] = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
];
const UNITS = OBSERVERS[0]!.map((_, u) => OBSERVERS.map((row) => row[u]));

// Fleiss' kappa worked example (Wikipedia "Fleiss' kappa", after Fleiss 1971): 10 subjects, 14 raters,
// 5 categories; P̄ = 0.378, P̄e = 0.213, κ = 0.210.
const FLEISS_TABLE = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];

describe("krippendorffAlpha", () => {
  it("reproduces Krippendorff's 2011 worked example with missing data (nominal 0.743)", () => {
    const result = krippendorffAlpha(UNITS, "nominal");
    expect(result.alpha).toBeCloseTo(0.743, 3);
    // Unit 12 has one value only: it is not pairable; n = 40 pairable values.
    expect(result).toMatchObject({ units: 11, values: 40 });
  });

  it("reproduces the same example at the interval level (0.849)", () => {
    expect(krippendorffAlpha(UNITS, "interval").alpha).toBeCloseTo(0.849, 3);
  });

  it("is 1 for perfect agreement with variation, undefined without variation or pairs", () => {
    expect(
      krippendorffAlpha(
        [
          ["a", "a"],
          ["b", "b", "b"],
        ],
        "nominal",
      ).alpha,
    ).toBeCloseTo(1, 12);
    expect(
      krippendorffAlpha(
        [
          ["a", "a"],
          ["a", "a"],
        ],
        "nominal",
      ).alpha,
    ).toBeNull();
    expect(
      krippendorffAlpha(
        [
          ["a", null],
          [null, "b"],
        ],
        "nominal",
      ),
    ).toEqual({ alpha: null, units: 0, values: 0 });
  });

  it("is at most 1 and does not depend on the order of raters within a unit", () => {
    const unit = fc.array(fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }), {
      minLength: 2,
      maxLength: 5,
    });
    fc.assert(
      fc.property(fc.array(unit, { minLength: 1, maxLength: 15 }), (units) => {
        const a = krippendorffAlpha(units, "nominal").alpha;
        const reversed = krippendorffAlpha(
          units.map((u) => [...u].reverse()),
          "nominal",
        ).alpha;
        if (a === null) return reversed === null;
        return a <= 1 + 1e-9 && Math.abs(a - reversed!) < 1e-9;
      }),
    );
  });
});

describe("fleissKappa", () => {
  it("reproduces the published worked example (κ = 0.210)", () => {
    const result = fleissKappa(FLEISS_TABLE);
    expect(result.kappa).toBeCloseTo(0.21, 3);
    expect(result).toMatchObject({ units: 10, raters: 14 });
  });

  it("is undefined when units have different numbers of raters", () => {
    expect(
      fleissKappa([
        [1, 1],
        [3, 0],
      ]).kappa,
    ).toBeNull();
    expect(
      countTable([
        ["a", "b"],
        ["a", "a", "b"],
      ]),
    ).toBeNull();
  });

  it("builds the count table from nominal units", () => {
    expect(
      countTable([
        ["x", "y", "x"],
        ["y", "y", "y"],
      ]),
    ).toEqual([
      [2, 1],
      [0, 3],
    ]);
    expect(
      fleissKappa(
        countTable([
          ["x", "x"],
          ["y", "y"],
        ])!,
      ).kappa,
    ).toBeCloseTo(1, 12);
  });
});
