import { describe, expect, it } from "vitest";
import { text } from "./test-factories.js";
import {
  damerauLevenshtein,
  hamming,
  jaroWinkler,
  levenshtein,
  type TextSimilarityOptions,
  textSimilarity,
  tokenize,
} from "./text-distance.js";
import { matchTextareas } from "./textarea.js";

const chars = (s: string) => Array.from(s);
const lev: TextSimilarityOptions = { algorithm: "Levenshtein", qval: 1, emptyStringsMatch: false };

describe("distances", () => {
  it.each([
    ["kitten", "sitting", 3],
    ["", "abc", 3],
    ["flaw", "lawn", 2],
    ["ab", "ba", 2],
  ])("levenshtein(%s, %s) = %i", (a, b, d) => {
    expect(levenshtein(chars(a), chars(b))).toBe(d);
  });

  it("damerau (restricted) counts an adjacent transposition once", () => {
    expect(damerauLevenshtein(chars("ab"), chars("ba"))).toBe(1);
    expect(damerauLevenshtein(chars("ca"), chars("abc"))).toBe(3);
    expect(damerauLevenshtein(chars("kitten"), chars("sitting"))).toBe(3);
  });

  it("hamming counts differing positions plus the length difference", () => {
    expect(hamming(chars("abc"), chars("abd"))).toBe(1);
    expect(hamming(chars("abc"), chars("ab"))).toBe(1);
    expect(hamming(chars("abc"), chars("bca"))).toBe(3);
  });

  it("jaro-winkler on textbook pairs", () => {
    expect(jaroWinkler(chars("MARTHA"), chars("MARHTA"))).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler(chars("DWAYNE"), chars("DUANE"))).toBeCloseTo(0.84, 4);
    expect(jaroWinkler(chars("DIXON"), chars("DICKSONX"))).toBeCloseTo(0.8133, 4);
    expect(jaroWinkler(chars("abc"), chars("xyz"))).toBe(0);
  });

  it("tokenize: characters, words, n-grams", () => {
    expect(tokenize("ab c", 1)).toEqual(["a", "b", " ", "c"]);
    expect(tokenize("  red  apple pie ", 0)).toEqual(["red", "apple", "pie"]);
    expect(tokenize("red apple", null)).toEqual(["red", "apple"]);
    expect(tokenize("abcd", 2)).toEqual(["ab", "bc", "cd"]);
    expect(tokenize("a", 2)).toEqual([]);
  });
});

describe("textSimilarity (reference §2.5)", () => {
  it("kitten vs sitting → 1 − 3/7", () => {
    expect(textSimilarity("kitten", "sitting", lev)).toBeCloseTo(1 - 3 / 7, 12);
  });

  it("word mode: distance in words, normalised by characters (1 − 1/14)", () => {
    expect(textSimilarity("red apple pie", "red apple tart", { ...lev, qval: 0 })).toBeCloseTo(
      1 - 1 / 14,
      12,
    );
  });

  it("n-gram mode: 1 bigram edit over 4 characters", () => {
    expect(textSimilarity("abcd", "abce", { ...lev, qval: 2 })).toBe(0.75);
  });

  it("the docs' address example is 1 − 4/15 with character Levenshtein", () => {
    expect(textSimilarity("123 Main St", "123 Main Street", lev)).toBeCloseTo(1 - 4 / 15, 12);
  });

  it("counts characters as code points", () => {
    expect(textSimilarity("café😀", "cafe😀", lev)).toBeCloseTo(1 - 1 / 5, 12);
  });

  it("two empty strings: 0 with evalme's textdistance pin, 1 with the switch", () => {
    expect(textSimilarity("", "", lev)).toBe(0);
    expect(textSimilarity("", "", { ...lev, emptyStringsMatch: true })).toBe(1);
  });

  it("other algorithms normalise the same way", () => {
    expect(textSimilarity("ab", "ba", { ...lev, algorithm: "DamerauLevenshtein" })).toBe(0.5);
    expect(textSimilarity("ab", "ba", lev)).toBe(0);
    expect(textSimilarity("abc", "abd", { ...lev, algorithm: "Hamming" })).toBeCloseTo(2 / 3, 12);
  });
});

describe("match_textareas", () => {
  it("the worked caption: 'two dogs' vs 'two dogs.' → 1 − 1/9", () => {
    expect(matchTextareas([text(["two dogs"])], [text(["two dogs."])], lev)).toBeCloseTo(8 / 9, 12);
  });

  it("lines aligned by index; a line without partner scores 0", () => {
    expect(matchTextareas([text(["ab", "cd"])], [text(["ab"])], lev)).toBe(0.5);
  });

  it("items paired by position, mean over pairs; no pair → 0", () => {
    const a = [text("kitten"), text("same")];
    const b = [text("sitting"), text("same"), text("ignored")];
    expect(matchTextareas(a, b, lev)).toBeCloseTo((4 / 7 + 1) / 2, 12);
    expect(matchTextareas(a, [], lev)).toBe(0);
  });
});
