import { randomBytes } from "node:crypto";

let lastMicros = 0;

/**
 * Current time as LS prints it: ISO-8601 with microseconds and `Z`.
 * Strictly increasing so that `updated_at` comparisons in reconcilers never tie.
 */
export function now(): string {
  let micros = Date.now() * 1000;
  if (micros <= lastMicros) micros = lastMicros + 1;
  lastMicros = micros;
  const ms = Math.floor(micros / 1000);
  const rest = String(micros % 1000).padStart(3, "0");
  return new Date(ms).toISOString().replace("Z", `${rest}Z`);
}

/** Random lowercase hex string of `bytes * 2` characters. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

/** Parses a positive integer path/query parameter; returns null when it is not one. */
export function parseId(raw: string | undefined): number | null {
  if (raw === undefined || !/^\d+$/.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Django-style boolean query parsing (`1`, `true`, `yes`, `on`). */
export function boolParam(raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  return ["1", "true", "yes", "on"].includes(raw.toLowerCase());
}

/** True for plain (non-array, non-null) objects. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
