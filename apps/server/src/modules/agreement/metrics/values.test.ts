import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, clip01, jsonEqual, labelKey, passes, stringList, toResultItem } from "./values.js";

describe("values", () => {
  it("jsonEqual ignores key order, not array order", () => {
    expect(jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1, b: [1, 2] }, { a: 1, b: [2, 1] })).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: null })).toBe(false);
  });

  it("property: canonical JSON strings are equal exactly when values are jsonEqual", () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(canonicalJson(a) === canonicalJson(b)).toBe(jsonEqual(a, b));
        expect(canonicalJson(a)).toBe(canonicalJson(JSON.parse(JSON.stringify(a))));
      }),
    );
  });

  it("labels are compared as sorted lists", () => {
    expect(labelKey(["b", "a"])).toBe(labelKey(["a", "b"]));
    expect(labelKey(["a"])).not.toBe(labelKey(["a", "a"]));
    expect(stringList({ l: ["a", 2, null] }, "l")).toEqual(["a", "2"]);
  });

  it("thresholds: gt is strict, gte is not; clip01 maps NaN to 0", () => {
    expect(passes(0.5, 0.5, "gt")).toBe(false);
    expect(passes(0.5, 0.5, "gte")).toBe(true);
    expect(clip01(1.5)).toBe(1);
    expect(clip01(Number.NaN)).toBe(0);
  });

  it("result items need a string from_name; the value defaults to {}", () => {
    expect(toResultItem({ type: "relation", from_id: "a", to_id: "b" })).toBeUndefined();
    expect(toResultItem("junk")).toBeUndefined();
    expect(toResultItem({ from_name: "x", value: [1] })?.value).toEqual({});
  });
});
