import { existsSync } from "node:fs";
import path from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { createProcessBackend } from "../../backends/process/process.backend.js";
import { annotators, containerEvents, fsmStateHistory } from "../../db/schema/index.js";
import { createLabelStudioClient } from "../../labelstudio/client.js";
import { createLifecycleService } from "./lifecycle.service.js";

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function rowOf(t: TestApp, id: number) {
  const [row] = await t.db.select().from(annotators).where(eq(annotators.id, id));
  return row!;
}
async function eventsOf(t: TestApp, id: number) {
  const rows = await t.db
    .select()
    .from(containerEvents)
    .where(eq(containerEvents.annotatorId, id))
    .orderBy(asc(containerEvents.id));
  return rows;
}
async function transitionsOf(t: TestApp, id: number) {
  const rows = await t.db
    .select()
    .from(fsmStateHistory)
    .where(and(eq(fsmStateHistory.entityName, "annotator"), eq(fsmStateHistory.entityId, String(id))))
    .orderBy(asc(fsmStateHistory.id));
  return rows.map((r) => r.transitionName);
}

const TRAEFIK_TOKEN = "traefik-token-0123456789";
let t: TestApp;
let cookie: string;
// One app for the file (each costs a migrated database): the embedded defaults, plus a Traefik token
// and a restart policy small enough to exhaust in a test.
beforeAll(async () => {
  t = await createTestApp({
    INSTANCE_START_TIMEOUT_SECONDS: "30",
    TRAEFIK_PROVIDER_TOKEN: TRAEFIK_TOKEN,
    INSTANCE_RESTART_BACKOFF_SECONDS: "0",
    INSTANCE_RESTART_MAX_ATTEMPTS: "1",
  });
  cookie = await t.login();
});
afterAll(async () => {
  await t.services.fleet.backend.close();
  await t.close();
});

describe("embedded defaults: the acceptance sequence", () => {
  it("create → start → active (working URL) → stop → stopped → start → active → delete → no process left", async () => {
    expect(t.services.fleet.backend.kind).toBe("process");
    const created = await t.request("POST", "/api/annotators", {
      cookie,
      body: { name: "Alice", email: "alice@example.com" },
    });
    const id = created.body.id as number;
    const status = () => t.request("GET", `/api/annotators/${id}/status`, { cookie });

    const started = await t.request("POST", `/api/annotators/${id}/start`, { cookie });
    expect(started.status).toBe(200);
    expect(started.body).toEqual({ success: true, status: "starting" });
    expect((await status()).body).toMatchObject({ status: "starting", url: null });
    const twice = await t.request("POST", `/api/annotators/${id}/start`, { cookie });
    expect(twice.status).toBe(400);
    expect(twice.body.error).toMatch(/already has an active container/);

    await t.services.jobs.worker.drain();
    const active = (await status()).body;
    expect(active).toMatchObject({
      status: "active",
      containerId: `labelfleet-ls-${id}`,
      containerIp: "127.0.0.1",
    });
    expect(active.url).toBe(`http://127.0.0.1:${active.containerPort}`);
    // The URL works: the LS API answers there with the annotator's own token and user.
    const row = await rowOf(t, id);
    const token = t.services.secrets.open(row.apiTokenEnc!);
    const ls = createLabelStudioClient({ baseUrl: active.url, token, retries: 0 });
    const me = await ls.currentUser();
    expect(me.email).toBe("alice@example.com");
    expect(row.lsUserId).toBe(me.id);
    expect((await ls.health()).status).toBe("UP");
    const project = await ls.createProject({ title: "survives a stop" });
    const firstPid = row.backendData?.pid as number;
    expect(isAlive(firstPid)).toBe(true);
    expect((await t.request("POST", `/api/annotators/${id}/start`, { cookie })).status).toBe(400);

    const tooLong = { reason: "x".repeat(501) };
    expect((await t.request("POST", `/api/annotators/${id}/stop`, { cookie, body: tooLong })).status).toBe(
      400,
    );
    const stopped = await t.request("POST", `/api/annotators/${id}/stop`, {
      cookie,
      body: { reason: "end of shift" },
    });
    expect(stopped.body).toEqual({ success: true });
    expect((await status()).body).toMatchObject({ status: "stopped", url: null });
    expect(isAlive(firstPid)).toBe(false);
    expect((await t.request("POST", `/api/annotators/${id}/stop`, { cookie })).status).toBe(400);

    expect((await t.request("POST", `/api/annotators/${id}/start`, { cookie })).body.status).toBe("starting");
    await t.services.jobs.worker.drain();
    const again = (await status()).body;
    expect(again.status).toBe("active");
    const secondPid = (await rowOf(t, id)).backendData?.pid as number;
    expect(secondPid).not.toBe(firstPid);
    const ls2 = createLabelStudioClient({ baseUrl: again.url, token, retries: 0 });
    expect((await ls2.getProject(project.id)).title).toBe("survives a stop");

    const deleted = await t.request("DELETE", `/api/annotators/${id}`, { cookie });
    expect(deleted.body).toEqual({ success: true });
    expect(isAlive(secondPid)).toBe(false);
    expect(
      t.services.fleet.backend.kind === "process" &&
        existsSync(path.join(t.services.config.dataDir, "instances", String(id))),
    ).toBe(false);
    expect((await t.request("GET", `/api/annotators/${id}`, { cookie })).status).toBe(404);
    expect((await rowOf(t, id)).status).toBe("deleted");

    expect(await transitionsOf(t, id)).toEqual([
      "create",
      "start",
      "activate",
      "stop",
      "mark_stopped",
      "start",
      "activate",
      "delete",
    ]);
    expect((await eventsOf(t, id)).find((e) => e.eventType === "stopping")?.message).toBe(
      "Stop requested: end of shift",
    );
    expect((await eventsOf(t, id)).map((e) => e.eventType)).toEqual([
      "created",
      "starting",
      "provisioned",
      "active",
      "stopping",
      "stopped",
      "starting",
      "provisioned",
      "active",
      "deleted",
    ]);
  });

  it("serves Traefik a router per active instance, behind its token", async () => {
    const a = (
      await t.request("POST", "/api/annotators", { cookie, body: { name: "Eve", email: "eve@example.com" } })
    ).body;
    await t.request("POST", "/api/annotators", { cookie, body: { name: "Idle", email: "idle@example.com" } });
    await t.request("POST", `/api/annotators/${a.id}/start`, { cookie });
    await t.services.jobs.worker.drain();
    const instanceUrl = (await rowOf(t, a.id)).instanceUrl;
    const config = await t.request("GET", "/api/traefik/config", {
      headers: { "x-traefik-token": TRAEFIK_TOKEN },
    });
    expect(config.status).toBe(200);
    const name = `labelfleet-annotator-${a.id}`;
    expect(config.body).toEqual({
      http: {
        routers: { [name]: { rule: "Host(`eve.localhost`)", service: name, entryPoints: ["web"] } },
        services: { [name]: { loadBalancer: { servers: [{ url: instanceUrl }], passHostHeader: true } } },
      },
    });
    expect((await t.request("GET", `/api/traefik/config?token=${TRAEFIK_TOKEN}`)).body).toEqual(config.body);
    expect((await t.request("GET", "/api/traefik/config")).status).toBe(401);
    expect(
      (await t.request("GET", "/api/traefik/config", { headers: { "x-traefik-token": "nope" } })).status,
    ).toBe(401);
    // A member session is not a Traefik token.
    expect((await t.request("GET", "/api/traefik/config", { cookie })).status).toBe(401);
    await t.request("POST", `/api/annotators/${a.id}/stop`, { cookie });
    const after = await t.request("GET", "/api/traefik/config", {
      headers: { "x-traefik-token": TRAEFIK_TOKEN },
    });
    expect(after.body).toEqual({ http: { routers: {}, services: {} } });
  });
});

describe("failures never leave an annotator hung in starting", () => {
  /** The lifecycle on the test database, with a process backend running `script` instead of LS. */
  function lifecycleRunning(script: string, readyTimeoutMs: number) {
    const backend = createProcessBackend({
      command: [process.execPath, "-e", script],
      dataRoot: t.services.config.dataDir,
      log: t.services.log,
      readyTimeoutMs,
    });
    const lifecycle = createLifecycleService({
      db: t.db,
      backend,
      secrets: t.services.secrets,
      serverSecret: t.services.secret,
      config: {
        ...t.services.config,
        instances: { ...t.services.config.instances, startTimeoutMs: readyTimeoutMs },
      },
      log: t.services.log,
      sendJob: async () => null, // the start is run below, not by the shared worker
    });
    return { backend, lifecycle };
  }
  async function startWith(name: string, script: string, readyTimeoutMs = 20_000) {
    const id = (
      await t.request("POST", "/api/annotators", { cookie, body: { name, email: `${name}@example.com` } })
    ).body.id as number;
    const { backend, lifecycle } = lifecycleRunning(script, readyTimeoutMs);
    const orgId = (await rowOf(t, id)).organizationId;
    expect(await lifecycle.requestStart(orgId, id, null)).toEqual({ success: true, status: "starting" });
    expect(await lifecycle.runStart(id)).toBe(false);
    await backend.close();
    return { id, backend };
  }

  it("moves to error with an event explaining why when LABEL_STUDIO_COMMAND exits", async () => {
    const { id } = await startWith("broken", "console.error('cannot open the database'); process.exit(7)");
    const status = (await t.request("GET", `/api/annotators/${id}/status`, { cookie })).body;
    expect(status.status).toBe("error");
    expect(status.lastError).toMatch(/exited with code 7.*cannot open the database/);
    const failed = (await eventsOf(t, id)).find((e) => e.eventType === "start_failed");
    expect(failed?.message).toMatch(/process backend could not start the instance: .*exited with code 7/);
    expect(await transitionsOf(t, id)).toEqual(["create", "start", "fail"]);
    // From error a manual start is allowed again.
    expect((await t.request("POST", `/api/annotators/${id}/start`, { cookie })).status).toBe(200);
    await t.request("POST", `/api/annotators/${id}/stop`, { cookie });
  });

  it("moves to error when the instance does not answer /health within the start timeout", async () => {
    const { id, backend } = await startWith("silent", "setInterval(() => {}, 1000)", 1000);
    const row = await rowOf(t, id);
    expect(row.status).toBe("error");
    expect(row.lastError).toMatch(/did not answer \/health .* within 1 s/);
    expect(backend.pids().size).toBe(0);
  });
});

describe("health: crash detection and the restart policy", () => {
  async function activeAnnotator(name: string) {
    const id = (
      await t.request("POST", "/api/annotators", { cookie, body: { name, email: `${name}@example.com` } })
    ).body.id as number;
    await t.request("POST", `/api/annotators/${id}/start`, { cookie });
    await t.services.jobs.worker.drain();
    expect((await rowOf(t, id)).status).toBe("active");
    return id;
  }

  it("detects a crashed process at once, records it, and restarts it with the policy", async () => {
    const id = await activeAnnotator("crashy");
    const pid = (await rowOf(t, id)).backendData?.pid as number;
    process.kill(pid, "SIGKILL");
    const deadline = Date.now() + 5000;
    while ((await rowOf(t, id)).status !== "error" && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const failed = await rowOf(t, id);
    expect(failed.status).toBe("error");
    expect(failed.lastError).toMatch(/exited unexpectedly: .*killed by SIGKILL/);
    while (
      !(await eventsOf(t, id)).some((e) => e.eventType === "restart_scheduled") &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await t.services.jobs.worker.drain();
    const restarted = await rowOf(t, id);
    expect(restarted).toMatchObject({ status: "active", restartCount: 1, lastError: null });
    expect(isAlive(restarted.backendData?.pid as number)).toBe(true);
    const types = (await eventsOf(t, id)).map((e) => e.eventType);
    expect(types.slice(-6)).toEqual([
      "active",
      "crashed",
      "restart_scheduled",
      "restarting",
      "provisioned",
      "active",
    ]);
    expect(await transitionsOf(t, id)).toEqual([
      "create",
      "start",
      "activate",
      "fail",
      "restart",
      "activate",
    ]);
  });

  it("the periodic check fails an instance whose LS stops answering /health; past the max it stays in error", async () => {
    const id = (await t.db.select().from(annotators).where(eq(annotators.email, "crashy@example.com")))[0]!
      .id;
    const url = (await rowOf(t, id)).instanceUrl!;
    // Fault switch of the simulator: /health answers 500 from now on.
    await fetch(`${url}/__sim/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ errorRate: 1, match: { path: "/health" } }),
    });
    const report = await t.services.fleet.health.checkAll();
    expect(report.failed).toEqual([id]);
    const row = await rowOf(t, id);
    expect(row.status).toBe("error");
    expect(row.lastError).toMatch(/did not answer \/health/);
    const last = (await eventsOf(t, id)).slice(-2);
    expect(last.map((e) => e.eventType)).toEqual(["health_check_failed", "restart_limit_reached"]);
    expect(last[1]?.message).toMatch(/1 automatic restart\(s\) already tried \(max 1\)/);
  });

  it("fails a start that no worker finished within the timeout", async () => {
    const id = (
      await t.request("POST", "/api/annotators", {
        cookie,
        body: { name: "Stuck", email: "stuck@example.com" },
      })
    ).body.id as number;
    await t.request("POST", `/api/annotators/${id}/start`, { cookie });
    // No drain: the job never runs. Pretend the start was requested long ago.
    await t.db
      .update(annotators)
      .set({ updatedAt: new Date(Date.now() - 3_600_000) })
      .where(eq(annotators.id, id));
    const report = await t.services.fleet.health.checkAll();
    expect(report.staleStarts).toEqual([id]);
    expect((await rowOf(t, id)).status).toBe("error");
    expect((await eventsOf(t, id)).at(-1)?.eventType).toBe("start_timed_out");
    await t.services.jobs.worker.drain(); // the late job finds the annotator in error and does nothing
    expect((await rowOf(t, id)).status).toBe("error");
  });
});
