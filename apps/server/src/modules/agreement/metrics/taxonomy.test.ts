import { describe, expect, it } from "vitest";
import {
  ancestorPrefixJaccard,
  expandToLeaves,
  fullPathJaccard,
  intersectionTaxonomy,
  pathMatchTaxonomy,
} from "./taxonomy.js";
import { item } from "./test-factories.js";
import type { TaxonomyNode } from "./types.js";

// Vehicles › Car › {Sedan, SUV}, Vehicles › Bike (reference §2.2).
const tree: TaxonomyNode[] = [
  {
    value: "Vehicles",
    children: [{ value: "Car", children: [{ value: "Sedan" }, { value: "SUV" }] }, { value: "Bike" }],
  },
];
const SEDAN = ["Vehicles", "Car", "Sedan"];
const SUV = ["Vehicles", "Car", "SUV"];
const CAR = ["Vehicles", "Car"];
const BIKE = ["Vehicles", "Bike"];
const sel = (...paths: string[][]) => [item("tax", "taxonomy", { taxonomy: paths })];
const min = (
  f: (a: ReturnType<typeof sel>, b: ReturnType<typeof sel>) => number,
  a: string[][],
  b: string[][],
) => Math.min(f(sel(...a), sel(...b)), f(sel(...b), sel(...a)));

describe("intersection_taxonomy (subtree matches)", () => {
  const subtree = (a: string[][], b: string[][]) => min((x, y) => intersectionTaxonomy(x, y, tree), a, b);

  it("expands a path downwards to its leaves", () => {
    expect(expandToLeaves(CAR, tree)).toEqual([SEDAN, SUV]);
    expect(expandToLeaves(["Vehicles"], tree)).toEqual([SEDAN, SUV, BIKE]);
    expect(expandToLeaves(SEDAN, tree)).toEqual([SEDAN]);
  });

  it.each([
    ["Sedan vs Car", [SEDAN], [CAR], 0.5],
    ["Sedan vs Bike", [SEDAN], [BIKE], 0],
    ["sibling leaves", [SEDAN], [SUV], 0],
    ["identical", [SEDAN, BIKE], [BIKE, SEDAN], 1],
    ["Car vs Vehicles: 2 of 3 leaves", [CAR], [["Vehicles"]], 2 / 3],
  ])("%s", (_name, a, b, expected) => {
    expect(subtree(a, b)).toBeCloseTo(expected, 12);
  });

  it("is one-directional before the min: f(Car, Sedan) = 1/2, f(Sedan, Car) = 1", () => {
    expect(intersectionTaxonomy(sel(CAR), sel(SEDAN), tree)).toBe(0.5);
    expect(intersectionTaxonomy(sel(SEDAN), sel(CAR), tree)).toBe(1);
  });

  it("without a tree a path cannot be expanded: Sedan vs Car → 0", () => {
    expect(min((x, y) => intersectionTaxonomy(x, y, undefined), [SEDAN], [CAR])).toBe(0);
    expect(min((x, y) => intersectionTaxonomy(x, y, undefined), [SEDAN], [SEDAN])).toBe(1);
  });

  it("LS docs variant: Jaccard over ancestor prefixes (Labrador vs Poodle → 2/4)", () => {
    const a = sel(["Animals", "Dog", "Labrador"]);
    const b = sel(["Animals", "Dog", "Poodle"]);
    expect(ancestorPrefixJaccard(a, b)).toBe(0.5);
    expect(ancestorPrefixJaccard(sel(SEDAN), sel(BIKE))).toBe(0.25);
  });
});

describe("path_match_taxonomy (labels matches)", () => {
  it.each([
    ["Sedan vs Car", [SEDAN], [CAR], 2 / 3],
    ["Sedan vs Bike", [SEDAN], [BIKE], 1 / 3],
    ["only the single best pair counts", [SEDAN, BIKE], [SEDAN, SUV], 1],
    ["identical", [SUV], [SUV], 1],
  ])("%s", (_name, a, b, expected) => {
    expect(min(pathMatchTaxonomy, a, b)).toBeCloseTo(expected, 12);
  });

  it("averages over reference items", () => {
    const two = [
      item("tax", "taxonomy", { taxonomy: [SEDAN] }),
      item("tax", "taxonomy", { taxonomy: [BIKE] }),
    ];
    // Reference items Sedan (best 1) and Bike (best vs Sedan: 1/2) → 0.75.
    expect(pathMatchTaxonomy(two, sel(SEDAN))).toBe(0.75);
  });

  it("LS docs variant: Jaccard over full paths", () => {
    expect(fullPathJaccard(sel(SEDAN, BIKE), sel(SEDAN))).toBe(0.5);
    expect(fullPathJaccard(sel(SEDAN), sel(CAR))).toBe(0);
  });
});
