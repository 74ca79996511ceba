import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import type { InstanceBackend, InstanceStatus } from "../../backends/instance-backend.js";
import { annotators, containerEvents, jobs } from "../../db/schema/index.js";
import { applyTransition } from "../fsm/transition.js";
import { updateAnnotator } from "./annotators.repo.js";
import { createHealthService, JOB_RESTART, restartDelayMs } from "./health.service.js";
import { createLifecycleService } from "./lifecycle.service.js";

let t: TestApp;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
});
afterAll(() => t.close());

/** A backend whose inspect answers come from a table, and that records what it was asked to do. */
function fakeBackend(states: Map<number, InstanceStatus>) {
  const calls: string[] = [];
  const backend: InstanceBackend = {
    kind: "process",
    create: async () => {
      throw new Error("not used");
    },
    start: async () => {
      throw new Error("engine unavailable");
    },
    stop: async (ref) => {
      calls.push(`stop ${ref.annotatorId}`);
    },
    remove: async () => {},
    inspect: async (ref) => states.get(ref.annotatorId) ?? { state: "missing" },
    logs: async () => "",
    close: async () => {},
  };
  return { backend, calls };
}

async function activeAnnotator(name: string, restartCount = 0) {
  const a = (
    await t.request("POST", "/api/annotators", { cookie, body: { name, email: `${name}@example.com` } })
  ).body;
  const base = {
    organizationId: (await rowOf(a.id)).organizationId,
    entity: "annotator" as const,
    entityId: a.id,
  };
  await applyTransition(t.db, { ...base, transition: "start" });
  await applyTransition(t.db, { ...base, transition: "activate" });
  await updateAnnotator(t.db, a.id, {
    instanceUrl: `http://127.0.0.1:1/${name}`,
    containerId: `c-${name}`,
    restartCount,
  });
  return a.id as number;
}
async function rowOf(id: number) {
  return (await t.db.select().from(annotators).where(eq(annotators.id, id)))[0]!;
}
async function eventTypes(id: number) {
  const rows = await t.db
    .select()
    .from(containerEvents)
    .where(eq(containerEvents.annotatorId, id))
    .orderBy(asc(containerEvents.id));
  return rows.map((r) => r.eventType);
}

function services(states: Map<number, InstanceStatus>, healthy: Set<string>, config = t.services.config) {
  const { backend, calls } = fakeBackend(states);
  const sent: { name: string; payload: unknown; delayMs?: number | undefined }[] = [];
  const sendJob = async (name: string, payload: unknown, options?: { delayMs?: number }) => {
    sent.push({ name, payload, delayMs: options?.delayMs });
    return t.services.jobs.queue.send(name, payload, options);
  };
  const deps = { db: t.db, backend, config, log: t.services.log, sendJob };
  const lifecycle = createLifecycleService({
    ...deps,
    secrets: t.services.secrets,
    serverSecret: t.services.secret,
  });
  const health = createHealthService({ ...deps, lifecycle, probe: async (url) => healthy.has(url) });
  return { health, calls, sent };
}

describe("restartDelayMs", () => {
  it.each([
    [5000, 1, 5000],
    [5000, 2, 10_000],
    [5000, 4, 40_000],
    [5000, 20, 600_000],
    [0, 3, 0],
  ])("base %i ms, attempt %i → %i ms", (base, attempt, expected) => {
    expect(restartDelayMs(base, attempt)).toBe(expected);
  });
});

describe("the periodic health check", () => {
  it("leaves healthy instances alone and fails dead or unresponsive ones with an event", async () => {
    const ok = await activeAnnotator("healthy");
    const gone = await activeAnnotator("gone");
    const mute = await activeAnnotator("mute");
    const states = new Map<number, InstanceStatus>([
      [ok, { state: "running" }],
      [gone, { state: "failed", detail: "exited with code 137" }],
      [mute, { state: "running" }],
    ]);
    const healthy = new Set(["http://127.0.0.1:1/healthy"]);
    const { health, sent } = services(states, healthy);
    const report = await health.checkAll();
    expect(report).toMatchObject({ checked: 3, healthy: 1, staleStarts: [] });
    expect(report.failed.sort()).toEqual([gone, mute].sort());
    expect((await rowOf(ok)).status).toBe("active");
    expect(await rowOf(gone)).toMatchObject({
      status: "error",
      lastError: "Health check: instance is failed (exited with code 137)",
    });
    expect((await rowOf(mute)).lastError).toMatch(/did not answer \/health/);
    expect(await eventTypes(gone)).toEqual(["created", "health_check_failed", "restart_scheduled"]);
    // Restart jobs are queued with the backoff (INSTANCE_RESTART_BACKOFF_SECONDS, default 5 s).
    expect(sent.filter((s) => s.name === JOB_RESTART).map((s) => s.delayMs)).toEqual([5000, 5000]);
    // A second round does not fail them twice.
    expect((await health.checkAll()).failed).toEqual([]);
  });

  it("backs off exponentially and stops at the maximum", async () => {
    const id = await activeAnnotator("flaky", 2);
    const { health, sent } = services(new Map([[id, { state: "missing" }]]), new Set());
    await health.checkAll();
    // Other tests' annotators are active too and the check visits them in no fixed order: pick ours.
    const ours = sent.filter((s) => (s.payload as { annotatorId?: number }).annotatorId === id);
    expect(ours).toEqual([{ name: JOB_RESTART, payload: { annotatorId: id }, delayMs: 20_000 }]);

    const worn = await activeAnnotator("worn", 3);
    const second = services(new Map([[worn, { state: "stopped" }]]), new Set());
    await second.health.checkAll();
    expect(second.sent.filter((s) => s.name === JOB_RESTART)).toEqual([]);
    expect(await eventTypes(worn)).toEqual(["created", "health_check_failed", "restart_limit_reached"]);
  });

  it("a restart that fails again counts the attempt and schedules the next one", async () => {
    const id = await activeAnnotator("relapse");
    const { health, calls, sent } = services(new Map([[id, { state: "failed" }]]), new Set());
    await health.checkAll();
    await health.restart(id);
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: "error", restartCount: 1 });
    expect(row.lastError).toMatch(/could not start the instance: engine unavailable/);
    expect(calls).toContain(`stop ${id}`);
    expect(sent.filter((s) => s.name === JOB_RESTART).map((s) => s.delayMs)).toEqual([5000, 10_000]);
    expect((await eventTypes(id)).slice(-4)).toEqual([
      "restart_scheduled",
      "restarting",
      "start_failed",
      "restart_scheduled",
    ]);
    // Restart jobs of an annotator someone stopped meanwhile do nothing.
    await t.request("POST", `/api/annotators/${id}/stop`, { cookie });
    await health.restart(id);
    expect((await rowOf(id)).status).toBe("stopped");
    const queued = await t.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.name, JOB_RESTART), eq(jobs.singletonKey, `${JOB_RESTART}:${id}`)));
    expect(queued).toHaveLength(1);
  });
});
