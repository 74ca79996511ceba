/** TextArea (reference §2.5): evalme `match_textareas`. */
import { type TextSimilarityOptions, textSimilarity } from "./text-distance.js";
import type { ResultItem } from "./types.js";
import { zipItems } from "./values.js";

/** The lines of a TextArea item (`value.text`, a list of strings or one string). */
export function linesOf(item: ResultItem): string[] {
  const raw = item.value.text;
  if (typeof raw === "string") return [raw];
  return Array.isArray(raw) ? raw.map((x) => (typeof x === "string" ? x : "")) : [];
}

/**
 * Similarity of two TextArea items: lines aligned by index (zip-longest), each pair scored by
 * `textSimilarity`, a line without partner scoring 0; the mean over lines.
 */
export function itemTextSimilarity(a: ResultItem, b: ResultItem, options: TextSimilarityOptions): number {
  const x = linesOf(a);
  const y = linesOf(b);
  const n = Math.max(x.length, y.length);
  // Two items without any line compare like two empty strings.
  if (n === 0) return textSimilarity("", "", options);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const lx = x[i];
    const ly = y[i];
    if (lx !== undefined && ly !== undefined) total += textSimilarity(lx, ly, options);
  }
  return total / n;
}

/**
 * evalme `match_textareas`: items paired by position, mean of the item similarities; no pair → 0.
 * Both directions give the same value, so it is its own symmetric score.
 */
export function matchTextareas(
  a: readonly ResultItem[],
  b: readonly ResultItem[],
  options: TextSimilarityOptions,
): number {
  const pairs = zipItems(a, b);
  if (pairs.length === 0) return 0;
  let total = 0;
  for (const [x, y] of pairs) total += itemTextSimilarity(x, y, options);
  return total / pairs.length;
}
