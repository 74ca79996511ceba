import type { Db } from "../../db/client.js";
import { AppError } from "../../lib/app-error.js";
import {
  annotatorsOf,
  assignmentCounts,
  type EventStats,
  emptyStats,
  eventStats,
  fleetCounts,
  recentEvents,
} from "./monitoring.repo.js";
import {
  ceilHour,
  formatUptime,
  HOUR_MS,
  hoursOf,
  isTimeZone,
  MAX_RANGE_MS,
  startOfDay,
} from "./time-window.js";

export interface MonitoringRange {
  /** IANA time zone that decides when "today" began (default UTC). */
  tz?: string | undefined;
  /** Range of the hourly series, averages and distributions (default: the last 24 UTC hours). */
  from?: Date | undefined;
  to?: Date | undefined;
}

const RECENT_EVENTS = 20;
const round1 = (n: number) => Math.round(n * 10) / 10;
const iso = (value: string | Date) => new Date(value).toISOString();
const avgTime = (s: EventStats) => (s.timed > 0 ? Math.round(s.timeSumMs / s.timed) : null);

/**
 * `GET /api/monitoring` and `GET /api/monitoring/annotator/:id`: throughput and fleet numbers from
 * annotation events (hourly roll-up + raw edges, see monitoring.repo.ts) and container data.
 */
export function createMonitoringService(deps: { db: Db; now?: () => Date }) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  function resolve(range: MonitoringRange) {
    const tz = range.tz ?? "UTC";
    if (!isTimeZone(tz)) {
      throw new AppError("BAD_REQUEST", `Unknown time zone "${tz}"`, [
        { path: ["tz"], message: "Must be an IANA time zone name such as Europe/Paris" },
      ]);
    }
    const at = now();
    const to =
      range.to ?? (range.from ? new Date(Math.min(at.getTime(), range.from.getTime() + 24 * HOUR_MS)) : at);
    // By default the 24 UTC hours ending with the one `to` falls in (the current hour, partly).
    const from = range.from ?? new Date(ceilHour(to).getTime() - 24 * HOUR_MS);
    if (from >= to) {
      throw new AppError("BAD_REQUEST", "from must be before to", [{ path: ["from"], message: "from ≥ to" }]);
    }
    if (to.getTime() - from.getTime() > MAX_RANGE_MS) {
      throw new AppError("BAD_REQUEST", "The range may span at most 31 days", [
        { path: ["from"], message: "to − from > 31 days" },
      ]);
    }
    return { tz, from, to, now: at, today: startOfDay(tz, at) };
  }

  return {
    /**
     * Fleet overview: active annotators, today's annotations (since local midnight in `tz`), in-progress
     * assignments, annotations per UTC hour over the range (zero-filled), and per annotator today's
     * count, mean lead time over the range and completion rate (completed / assignments not cancelled).
     */
    async overview(organizationId: number, range: MonitoringRange) {
      const r = resolve(range);
      const scope = { organizationId };
      const [fleet, today, perHour, inRange, assignments, people] = await Promise.all([
        fleetCounts(db, organizationId),
        eventStats(db, scope, r.today, r.now, "annotator"),
        eventStats(db, scope, r.from, r.to, "hour"),
        eventStats(db, scope, r.from, r.to, "annotator"),
        assignmentCounts(db, organizationId),
        annotatorsOf(db, organizationId),
      ]);
      const done = new Map<number, { completed: number; counted: number }>();
      for (const a of assignments) {
        const entry = done.get(a.annotatorId) ?? { completed: 0, counted: 0 };
        if (a.status === "completed") entry.completed += a.n;
        if (a.status !== "cancelled") entry.counted += a.n;
        done.set(a.annotatorId, entry);
      }
      let todayAnnotations = 0;
      for (const s of today.values()) todayAnnotations += s.created;
      return {
        activeAnnotators: fleet.activeAnnotators,
        todayAnnotations,
        inProgressAssignments: fleet.inProgressAssignments,
        annotationsPerHour: hoursOf(r.from, r.to).map((hour) => ({
          hour: hour.toISOString(),
          count: perHour.get(hour.toISOString())?.created ?? 0,
        })),
        annotatorSummaries: people.map((p) => {
          const id = Number(p.id);
          const a = done.get(id);
          return {
            id,
            name: p.name,
            todayCount: today.get(String(id))?.created ?? 0,
            avgTimeMs: avgTime(inRange.get(String(id)) ?? emptyStats()),
            completionRate: a && a.counted > 0 ? a.completed / a.counted : 0,
          };
        }),
      };
    },

    /**
     * One annotator: status, uptime of the running instance, today's annotations, annotations per
     * active hour over the range (hours with at least one annotation), lead-time buckets over the
     * range, assignment counts and the latest events. 404 for another organization's annotator.
     */
    async annotator(organizationId: number, annotatorId: number, range: MonitoringRange) {
      const r = resolve(range);
      const [person] = await annotatorsOf(db, organizationId, annotatorId);
      if (!person) throw new AppError("NOT_FOUND", "Annotator not found");
      const scope = { organizationId, annotatorId };
      const [today, inRange, assignments, events] = await Promise.all([
        eventStats(db, scope, r.today, r.now, "annotator"),
        eventStats(db, scope, r.from, r.to, "annotator"),
        assignmentCounts(db, organizationId, annotatorId),
        recentEvents(db, organizationId, annotatorId, r.to, RECENT_EVENTS),
      ]);
      const stats = inRange.get(String(annotatorId)) ?? emptyStats();
      const count = (status?: string) =>
        assignments.filter((a) => status === undefined || a.status === status).reduce((n, a) => n + a.n, 0);
      const running = (person.status === "active" || person.status === "paused") && person.started_at;
      return {
        annotator: { id: Number(person.id), name: person.name, status: person.status },
        containerUptime: running
          ? formatUptime(r.now.getTime() - new Date(person.started_at!).getTime())
          : null,
        todayAnnotations: today.get(String(annotatorId))?.created ?? 0,
        annotationsPerHour: stats.activeHours > 0 ? round1(stats.created / stats.activeHours) : 0,
        timeDistribution: [
          { bucket: "0-10s", count: stats.under10s },
          { bucket: "10-30s", count: stats.under30s },
          { bucket: "30-60s", count: stats.under60s },
          { bucket: "60s+", count: stats.over60s },
        ],
        assignmentStats: {
          total: count(),
          completed: count("completed"),
          inProgress: count("in_progress"),
        },
        recentEvents: events.map((e) => ({
          eventType: e.event_type,
          lsTaskId: e.ls_task_id === null ? null : Number(e.ls_task_id),
          timeSpentMs: e.time_spent_ms === null ? null : Number(e.time_spent_ms),
          createdAt: iso(e.created_at),
        })),
      };
    },
  };
}
export type MonitoringService = ReturnType<typeof createMonitoringService>;
