/** Defensive readers for LS result values: results arrive as untrusted JSON, so nothing is assumed. */
import type { LabelWeights, ResultItem } from "./types.js";

/** The object itself when `x` is a plain (non-array) object. */
export function asRecord(x: unknown): Record<string, unknown> | undefined {
  return typeof x === "object" && x !== null && !Array.isArray(x)
    ? (x as Record<string, unknown>)
    : undefined;
}

/** A finite number, or undefined. */
export function finite(x: unknown): number | undefined {
  return typeof x === "number" && Number.isFinite(x) ? x : undefined;
}

/** `value[key]` as a list of strings (numbers are stringified, other entries dropped). */
export function stringList(value: Readonly<Record<string, unknown>>, key: string): string[] {
  const raw = value[key];
  if (!Array.isArray(raw)) return typeof raw === "string" ? [raw] : [];
  const out: string[] = [];
  for (const x of raw) {
    if (typeof x === "string") out.push(x);
    else if (typeof x === "number") out.push(String(x));
  }
  return out;
}

/** Canonical key of a label list compared as a set-like sorted list (evalme sorts since PR #155). */
export function labelKey(labels: readonly string[]): string {
  return JSON.stringify([...labels].sort());
}

/** Weight of one label: the configured weight, 1 when none is configured. */
export function labelWeight(weights: LabelWeights, label: string): number {
  return Object.hasOwn(weights, label) ? (weights[label] ?? 1) : 1;
}

/** Σ label weights (spans, boxes, polygons: a region with no label weighs 0). */
export function sumOfLabelWeights(weights: LabelWeights, labels: readonly string[]): number {
  let total = 0;
  for (const label of labels) total += labelWeight(weights, label);
  return total;
}

/** Mean label weight (choices, brush masks); 1 for an empty list so a label-less item still counts. */
export function meanOfLabelWeights(weights: LabelWeights, labels: readonly string[]): number {
  return labels.length === 0 ? 1 : sumOfLabelWeights(weights, labels) / labels.length;
}

/** Structural equality of JSON values; object key order is irrelevant, array order is not. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra).filter((k) => ra[k] !== undefined);
  if (keys.length !== Object.keys(rb).filter((k) => rb[k] !== undefined).length) return false;
  return keys.every((k) => Object.hasOwn(rb, k) && jsonEqual(ra[k], rb[k]));
}

/** JSON text with object keys sorted: equal strings ⇔ `jsonEqual` values (for JSON data). */
export function canonicalJson(x: unknown): string {
  return JSON.stringify(x, (_key, value: unknown) => {
    const record = asRecord(value);
    if (!record) return value;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((k) => [k, record[k]]),
    );
  });
}

/** Pairs items by position, as evalme's `zip` does: extra items on the longer side are ignored. */
export function zipItems<T>(a: readonly T[], b: readonly T[]): [T, T][] {
  const n = Math.min(a.length, b.length);
  const out: [T, T][] = [];
  for (let i = 0; i < n; i++) out.push([a[i] as T, b[i] as T]);
  return out;
}

/** Normalises one raw result entry; entries without a string `from_name` (relations, junk) give undefined. */
export function toResultItem(raw: unknown): ResultItem | undefined {
  const record = asRecord(raw);
  if (!record || typeof record.from_name !== "string") return undefined;
  return {
    id: typeof record.id === "string" ? record.id : undefined,
    from_name: record.from_name,
    to_name: typeof record.to_name === "string" ? record.to_name : undefined,
    type: typeof record.type === "string" ? record.type : undefined,
    value: asRecord(record.value) ?? {},
  };
}

/** Clips into [0, 1]; NaN becomes 0. */
export function clip01(x: number): number {
  return x > 1 ? 1 : x > 0 ? x : 0;
}

/** Comparison of a score against a threshold: evalme spans use strict `>`, the LS docs `≥`. */
export type ThresholdComparison = "gt" | "gte";

export function passes(value: number, threshold: number, comparison: ThresholdComparison): boolean {
  return comparison === "gt" ? value > threshold : value >= threshold;
}
