/**
 * Normalised string similarity as evalme computes it through textdistance (reference §2.5):
 * `1 − d(x, y) / max(len(x), len(y))`, the distance counted on tokens (`qval`) but normalised by the
 * character length of the longer string.
 */

/** textdistance class names we implement. Similarity-based ones of the LS docs list are not defined by the reference. */
export const TEXT_ALGORITHMS = ["Levenshtein", "DamerauLevenshtein", "Hamming", "JaroWinkler"] as const;
export type TextAlgorithm = (typeof TEXT_ALGORITHMS)[number];

export interface TextSimilarityOptions {
  readonly algorithm: TextAlgorithm;
  /** 1 = characters; 0 or null = whitespace-separated words; n ≥ 2 = character n-grams. */
  readonly qval: number | null;
  /**
   * Score of two empty strings: evalme's pin (textdistance 4.1.5) gives 0 (default, `false`),
   * textdistance ≥ 4.5 gives 1 (`true`).
   */
  readonly emptyStringsMatch: boolean;
}

/** Splits a string into the tokens textdistance compares for `qval`. */
export function tokenize(text: string, qval: number | null): string[] {
  if (qval === null || qval === 0) return text.split(/\s+/).filter((w) => w.length > 0);
  const chars = Array.from(text);
  if (qval <= 1) return chars;
  const grams: string[] = [];
  for (let i = 0; i + qval <= chars.length; i++) grams.push(chars.slice(i, i + qval).join(""));
  return grams;
}

/** Levenshtein distance over token sequences (two rows). */
export function levenshtein(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length] ?? 0;
}

/** Damerau-Levenshtein, restricted (optimal string alignment), as textdistance's default. */
export function damerauLevenshtein(a: readonly string[], b: readonly string[]): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * cols + j] = v;
    }
  }
  return at(a.length, b.length);
}

/** Hamming distance as textdistance counts it: differing positions plus the length difference. */
export function hamming(a: readonly string[], b: readonly string[]): number {
  const n = Math.max(a.length, b.length);
  let d = 0;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) d++;
  return d;
}

/** Jaro-Winkler similarity (prefix scale 0.1, at most 4 prefix tokens, boost above 0.7). */
export function jaroWinkler(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 1 : 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const usedB = new Array<boolean>(b.length).fill(false);
  const matchedA: string[] = [];
  for (let i = 0; i < a.length; i++) {
    for (let j = Math.max(0, i - window); j < Math.min(b.length, i + window + 1); j++) {
      if (!usedB[j] && a[i] === b[j]) {
        usedB[j] = true;
        matchedA.push(a[i] as string);
        break;
      }
    }
  }
  const m = matchedA.length;
  if (m === 0) return 0;
  const matchedB = b.filter((_, j) => usedB[j]);
  let halfTranspositions = 0;
  for (let k = 0; k < m; k++) if (matchedA[k] !== matchedB[k]) halfTranspositions++;
  const t = halfTranspositions / 2;
  const jaro = (m / a.length + m / b.length + (m - t) / m) / 3;
  if (jaro <= 0.7) return jaro;
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** Normalised similarity of two strings in [0, 1]. */
export function textSimilarity(x: string, y: string, options: TextSimilarityOptions): number {
  const longest = Math.max(Array.from(x).length, Array.from(y).length);
  if (longest === 0) return options.emptyStringsMatch ? 1 : 0;
  const a = tokenize(x, options.qval);
  const b = tokenize(y, options.qval);
  if (options.algorithm === "JaroWinkler") return jaroWinkler(a, b);
  const distance =
    options.algorithm === "Hamming"
      ? hamming(a, b)
      : options.algorithm === "DamerauLevenshtein"
        ? damerauLevenshtein(a, b)
        : levenshtein(a, b);
  return Math.max(0, 1 - distance / longest);
}
