import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { createMonitoringService } from "./monitoring.service.js";

let t: TestApp;
let orgId: number;
let alice: number;
let bob: number;
const NOW = new Date("2026-04-06T12:30:00Z");
const monitoring = () => createMonitoringService({ db: t.db, now: () => NOW });

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

async function event(annotatorId: number, at: string, seconds: number | null, type = "annotation_created") {
  await t.db.execute(sql`insert into annotation_events
      (organization_id, annotator_id, event_key, event_type, ls_task_id, time_spent_ms, created_at)
    values (${orgId}, ${annotatorId}, ${`${annotatorId}:${at}:${type}`}, ${type}, ${Date.parse(at) % 1000},
      ${seconds === null ? null : seconds * 1000}, ${at}::timestamptz)`);
}

beforeAll(async () => {
  t = await createTestApp();
  orgId = rowsOf<{ id: number }>(
    await t.db.execute(sql`select id from organizations order by id limit 1`),
  )[0]!.id;
  const insert = async (name: string, status: string, startedAt: string | null) =>
    rowsOf<{ id: number }>(
      await t.db.execute(sql`insert into annotators (organization_id, name, email, status, started_at)
        values (${orgId}, ${name}, ${`${name}@x.io`}, ${status}, ${startedAt}::timestamptz) returning id`),
    )[0]!.id;
  alice = await insert("Alice", "active", "2026-04-06T08:00:00Z");
  bob = await insert("Bob", "created", null);
  await event(alice, "2026-04-04T10:00:00Z", 3); // two days ago
  await event(alice, "2026-04-05T18:00:00Z", 5); // yesterday in Kolkata, inside the last 24 h
  await event(alice, "2026-04-05T18:45:00Z", 15); // Kolkata's day began at 18:30 UTC
  await event(alice, "2026-04-06T09:10:00Z", 40);
  await event(alice, "2026-04-06T09:50:00Z", 70);
  await event(alice, "2026-04-06T12:10:00Z", null); // the current (partial) hour, no lead time
  await event(alice, "2026-04-06T12:20:00Z", 99, "annotation_updated"); // not an annotation made
  await event(bob, "2026-04-05T12:29:00Z", 8); // just before the default range
  await event(bob, "2026-04-06T00:30:00Z", 25);
});
afterAll(() => t.close());

describe("monitoring numbers", () => {
  it("overview: today in the caller's zone, 24 zero-filled UTC hours, per-annotator summaries", async () => {
    const kolkata = await monitoring().overview(orgId, { tz: "Asia/Kolkata" });
    expect(kolkata.activeAnnotators).toBe(1);
    expect(kolkata.todayAnnotations).toBe(5); // Alice 18:45, 09:10, 09:50, 12:10; Bob 00:30
    expect(kolkata.inProgressAssignments).toBe(0);
    expect(kolkata.annotationsPerHour).toHaveLength(24);
    expect(kolkata.annotationsPerHour[0]).toEqual({ hour: "2026-04-05T13:00:00.000Z", count: 0 });
    expect(kolkata.annotationsPerHour.at(-1)).toEqual({ hour: "2026-04-06T12:00:00.000Z", count: 1 });
    const nonZero = kolkata.annotationsPerHour.filter((h) => h.count > 0);
    expect(nonZero).toEqual([
      { hour: "2026-04-05T18:00:00.000Z", count: 2 },
      { hour: "2026-04-06T00:00:00.000Z", count: 1 },
      { hour: "2026-04-06T09:00:00.000Z", count: 2 },
      { hour: "2026-04-06T12:00:00.000Z", count: 1 },
    ]);
    expect(kolkata.annotatorSummaries).toEqual([
      // (5 + 15 + 40 + 70) / 4 s: the event without a lead time is not in the mean.
      { id: alice, name: "Alice", todayCount: 4, avgTimeMs: 32_500, completionRate: 0 },
      { id: bob, name: "Bob", todayCount: 1, avgTimeMs: 25_000, completionRate: 0 },
    ]);
    const utc = await monitoring().overview(orgId, {});
    expect(utc.todayAnnotations).toBe(4);
  });

  it("an explicit range cuts partial hours exactly", async () => {
    const result = await monitoring().overview(orgId, {
      from: new Date("2026-04-05T18:40:00Z"),
      to: new Date("2026-04-06T09:30:00Z"),
    });
    expect(result.annotationsPerHour).toHaveLength(16);
    expect(result.annotationsPerHour.filter((h) => h.count > 0)).toEqual([
      { hour: "2026-04-05T18:00:00.000Z", count: 1 },
      { hour: "2026-04-06T00:00:00.000Z", count: 1 },
      { hour: "2026-04-06T09:00:00.000Z", count: 1 },
    ]);
    expect(result.annotatorSummaries.map((s) => s.avgTimeMs)).toEqual([27_500, 25_000]);
  });

  it("annotator: uptime, rate per active hour, lead-time buckets, recent events", async () => {
    const result = await monitoring().annotator(orgId, alice, { tz: "Asia/Kolkata" });
    expect(result).toEqual({
      annotator: { id: alice, name: "Alice", status: "active" },
      containerUptime: "4h 30m",
      todayAnnotations: 4,
      annotationsPerHour: 1.7, // 5 annotations in 3 active hours
      timeDistribution: [
        { bucket: "0-10s", count: 1 },
        { bucket: "10-30s", count: 1 },
        { bucket: "30-60s", count: 1 },
        { bucket: "60s+", count: 1 },
      ],
      assignmentStats: { total: 0, completed: 0, inProgress: 0 },
      recentEvents: expect.any(Array),
    });
    expect(result.recentEvents.map((e) => [e.eventType, e.timeSpentMs, e.createdAt])).toEqual([
      ["annotation_updated", 99_000, "2026-04-06T12:20:00.000Z"],
      ["annotation_created", null, "2026-04-06T12:10:00.000Z"],
      ["annotation_created", 70_000, "2026-04-06T09:50:00.000Z"],
      ["annotation_created", 40_000, "2026-04-06T09:10:00.000Z"],
      ["annotation_created", 15_000, "2026-04-05T18:45:00.000Z"],
      ["annotation_created", 5_000, "2026-04-05T18:00:00.000Z"],
      ["annotation_created", 3_000, "2026-04-04T10:00:00.000Z"],
    ]);
    const idle = await monitoring().annotator(orgId, bob, {});
    expect(idle).toMatchObject({ containerUptime: null, todayAnnotations: 1, annotationsPerHour: 1 });
  });

  it("the roll-up agrees with the events it summarises", async () => {
    const [check] = rowsOf<{ rolled: string | number; raw: string | number }>(
      await t.db.execute(sql`select
        (select sum(created_count) from annotation_event_rollups) as rolled,
        (select count(*) from annotation_events where event_type = 'annotation_created') as raw`),
    );
    expect(Number(check!.rolled)).toBe(Number(check!.raw));
  });

  it("refuses bad zones and ranges, and other organizations' annotators", async () => {
    const m = monitoring();
    await expect(m.overview(orgId, { tz: "Mars/Olympus" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      m.overview(orgId, { from: new Date("2026-04-06T00:00:00Z"), to: new Date("2026-04-05T00:00:00Z") }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      m.overview(orgId, { from: new Date("2026-01-01T00:00:00Z"), to: new Date("2026-04-01T00:00:00Z") }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(m.annotator(orgId + 1, alice, {})).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
