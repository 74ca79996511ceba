/** Time arithmetic of the monitoring endpoints. Pure. */

export const HOUR_MS = 3_600_000;
export const MAX_RANGE_MS = 31 * 24 * HOUR_MS;

/** True when `tz` is an IANA time zone name the runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(tz: string) {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Local wall-clock time of `at` in `tz` minus UTC, in ms (e.g. +19,800,000 for Asia/Kolkata). */
export function offsetMs(tz: string, at: Date): number {
  const parts = formatterOf(tz).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant local midnight began in `tz` on the day that contains `now`. */
export function startOfDay(tz: string, now: Date): Date {
  const local = new Date(now.getTime() + offsetMs(tz, now));
  const midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  // Two passes: the offset at midnight may differ from the offset now (a DST change during the day).
  let guess = midnight - offsetMs(tz, new Date(midnight));
  guess = midnight - offsetMs(tz, new Date(guess));
  return new Date(guess);
}

export const floorHour = (at: Date) => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
export const ceilHour = (at: Date) => new Date(Math.ceil(at.getTime() / HOUR_MS) * HOUR_MS);

export interface SplitRange {
  /** Whole UTC hours [start, end), read from the hourly roll-up; null when the range has none. */
  hours: { start: Date; end: Date } | null;
  /** Partial hours at either end, read from the raw events. */
  edges: { start: Date; end: Date }[];
}

/** Splits [from, to) into whole UTC hours and the partial hours around them. */
export function splitRange(from: Date, to: Date): SplitRange {
  if (from >= to) return { hours: null, edges: [] };
  const start = ceilHour(from);
  const end = floorHour(to);
  if (start >= end) return { hours: null, edges: [{ start: from, end: to }] };
  const edges = [];
  if (from < start) edges.push({ start: from, end: start });
  if (end < to) edges.push({ start: end, end: to });
  return { hours: { start, end }, edges };
}

/** Every UTC hour that intersects [from, to), oldest first. */
export function hoursOf(from: Date, to: Date): Date[] {
  const out: Date[] = [];
  for (let t = floorHour(from).getTime(); t < to.getTime(); t += HOUR_MS) out.push(new Date(t));
  return out;
}

/** "4h 32m" (days are counted in hours, as the spec's example does). */
export function formatUptime(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
