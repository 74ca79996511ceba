/**
 * Chance-corrected agreement coefficients over many units (tasks) and raters. Pure.
 *
 * - Krippendorff's alpha, nominal and interval, with missing data: K. Krippendorff, "Computing
 *   Krippendorff's Alpha-Reliability" (2011), the coincidence-matrix method of its section C.
 * - Fleiss' kappa: J. L. Fleiss, "Measuring nominal scale agreement among many raters" (1971); every
 *   unit must have the same number of raters.
 */

export type AlphaLevel = "nominal" | "interval";
/** One unit's values, one per rater who coded it; null/undefined = that rater did not code it. */
export type Unit<V> = readonly (V | null | undefined)[];

export interface AlphaResult {
  /** null when undefined: fewer than two pairable values, or no variation at all (D_e = 0). */
  alpha: number | null;
  /** Units with at least two values (the pairable ones). */
  units: number;
  /** Pairable values n. */
  values: number;
}

/**
 * Krippendorff's alpha: α = 1 − D_o / D_e from the coincidence matrix o_ck = Σ_u (number of c–k pairs
 * in u) / (m_u − 1), over units with m_u ≥ 2 values; D_o = Σ o_ck δ²_ck / n and
 * D_e = Σ n_c n_k δ²_ck / (n (n − 1)). Nominal δ² = [c ≠ k]; interval δ² = (c − k)².
 */
export function krippendorffAlpha(units: readonly Unit<string | number>[], level: AlphaLevel): AlphaResult {
  const coincidence = new Map<string, Map<string, number>>();
  const numeric = new Map<string, number>();
  let pairable = 0;
  let values = 0;
  for (const unit of units) {
    const present = unit.filter((v): v is string | number => v !== null && v !== undefined);
    const m = present.length;
    if (m < 2) continue;
    pairable++;
    values += m;
    const keys = present.map((v) => {
      const key = String(v);
      if (level === "interval") {
        const x = typeof v === "number" ? v : Number(v);
        if (!Number.isFinite(x)) throw new Error(`Interval alpha needs numbers, got ${JSON.stringify(v)}`);
        numeric.set(key, x);
      }
      return key;
    });
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        if (i === j) continue;
        const row = coincidence.get(keys[i]!) ?? new Map<string, number>();
        coincidence.set(keys[i]!, row);
        row.set(keys[j]!, (row.get(keys[j]!) ?? 0) + 1 / (m - 1));
      }
    }
  }
  if (values < 2) return { alpha: null, units: pairable, values };
  const delta2 = (c: string, k: string) =>
    level === "nominal" ? (c === k ? 0 : 1) : (numeric.get(c)! - numeric.get(k)!) ** 2;
  const marginals = new Map<string, number>();
  for (const [c, row] of coincidence) {
    let sum = 0;
    for (const v of row.values()) sum += v;
    marginals.set(c, sum);
  }
  const n = values;
  let observed = 0;
  for (const [c, row] of coincidence) for (const [k, o] of row) observed += o * delta2(c, k);
  let expected = 0;
  for (const [c, nc] of marginals) for (const [k, nk] of marginals) expected += nc * nk * delta2(c, k);
  if (expected === 0) return { alpha: null, units: pairable, values };
  return { alpha: 1 - ((n - 1) * observed) / expected, units: pairable, values };
}

export interface KappaResult {
  /** null when undefined: raters per unit differ or are fewer than two, no unit, or P̄e = 1. */
  kappa: number | null;
  units: number;
  raters: number | null;
}

/**
 * Fleiss' kappa from the subject × category count table (n_ij raters put subject i in category j):
 * P_i = (Σ_j n_ij² − n) / (n (n − 1)), p_j = Σ_i n_ij / (N n), κ = (P̄ − P̄e) / (1 − P̄e) with
 * P̄e = Σ_j p_j².
 */
export function fleissKappa(counts: readonly (readonly number[])[]): KappaResult {
  const N = counts.length;
  if (N === 0) return { kappa: null, units: 0, raters: null };
  const sums = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const n = sums[0]!;
  if (n < 2 || sums.some((s) => s !== n)) return { kappa: null, units: N, raters: null };
  const k = Math.max(...counts.map((r) => r.length));
  let pBar = 0;
  const p = new Array<number>(k).fill(0);
  for (const row of counts) {
    let squares = 0;
    row.forEach((x, j) => {
      squares += x * x;
      p[j]! += x;
    });
    pBar += (squares - n) / (n * (n - 1));
  }
  pBar /= N;
  const pe = p.reduce((acc, total) => acc + (total / (N * n)) ** 2, 0);
  if (pe === 1) return { kappa: null, units: N, raters: n };
  return { kappa: (pBar - pe) / (1 - pe), units: N, raters: n };
}

/** Turns units of nominal values into Fleiss' count table; null when raters per unit differ. */
export function countTable(units: readonly Unit<string | number>[]): number[][] | null {
  const present = units
    .map((u) => u.filter((v): v is string | number => v !== null && v !== undefined).map(String))
    .filter((u) => u.length > 0);
  if (present.length === 0) return [];
  const n = present[0]!.length;
  if (present.some((u) => u.length !== n)) return null;
  const categories = [...new Set(present.flat())].sort();
  const index = new Map(categories.map((c, i) => [c, i]));
  return present.map((u) => {
    const row = new Array<number>(categories.length).fill(0);
    for (const v of u) row[index.get(v)!]! += 1;
    return row;
  });
}
