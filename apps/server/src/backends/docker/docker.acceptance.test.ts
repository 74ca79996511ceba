import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import Dockerode from "dockerode";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { annotators } from "../../db/schema/index.js";

// Issue 3's acceptance sequence through the annotators API with ORCHESTRATOR_BACKEND=docker, on the
// real engine (scripts/ci-docker.sh provides it and the simulator image).
const script = new URL("../../../../../scripts/ci-docker.sh", import.meta.url).pathname;
const prefix = `lfa${randomBytes(3).toString("hex")}-`;
const engine = new Dockerode({ socketPath: "/var/run/docker.sock" });
const labelled = async () => ({
  containers: await engine.listContainers({ all: true, filters: { label: [`labelfleet.prefix=${prefix}`] } }),
  volumes: (await engine.listVolumes({ filters: { label: [`labelfleet.prefix=${prefix}`] } })).Volumes ?? [],
});

let t: TestApp;
let cookie: string;
beforeAll(async () => {
  const out = execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const image = out.trim().split("\n").at(-1) ?? "";
  t = await createTestApp({
    ORCHESTRATOR_BACKEND: "docker",
    LS_IMAGE: image,
    INSTANCE_NAME_PREFIX: prefix,
    DOCKER_PUBLISH_PORT: "true",
    DOCKER_PULL_IMAGE: "false",
    DOCKER_STOP_TIMEOUT_SECONDS: "5",
    INSTANCE_START_TIMEOUT_SECONDS: "30",
    INSTANCE_DROP_DATABASE_ON_DELETE: "true",
    HEALTH_CHECK_INTERVAL_SECONDS: "0",
  });
  cookie = await t.login();
}, 600_000);
afterAll(async () => {
  const { containers, volumes } = await labelled();
  for (const c of containers) await engine.getContainer(c.Id).remove({ force: true });
  for (const v of volumes) await engine.getVolume(v.Name).remove();
  await t?.services.fleet.backend.close();
  await t?.close();
});

describe("docker backend through the annotators API (real engine)", () => {
  it("create → start → active → stop → stopped → start → active → delete → no labelfleet container left", async () => {
    expect(t.services.fleet.backend.kind).toBe("docker");
    const created = await t.request("POST", "/api/annotators", {
      cookie,
      body: { name: "Dora", email: "dora@example.com" },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const status = async () => (await t.request("GET", `/api/annotators/${id}/status`, { cookie })).body;

    expect((await t.request("POST", `/api/annotators/${id}/start`, { cookie })).body).toEqual({
      success: true,
      status: "starting",
    });
    await t.services.jobs.worker.drain();
    const active = await status();
    expect(active).toMatchObject({ status: "active", containerIp: "127.0.0.1" });
    const health = await fetch(`http://127.0.0.1:${active.containerPort}/health`);
    expect(JSON.parse(await health.text())).toEqual({ status: "UP" });
    const [row] = await t.db.select().from(annotators).where(eq(annotators.id, id));
    const inspected = await engine.getContainer(row?.containerId as string).inspect();
    expect(inspected.Name).toBe(`/${prefix}${id}`);
    expect(inspected.HostConfig.Init).toBe(true);
    expect(inspected.Config.Labels?.["labelfleet.annotator-id"]).toBe(String(id));

    expect((await t.request("POST", `/api/annotators/${id}/stop`, { cookie })).body).toEqual({
      success: true,
    });
    expect((await status()).status).toBe("stopped");
    expect((await engine.getContainer(row?.containerId as string).inspect()).State.Running).toBe(false);

    await t.request("POST", `/api/annotators/${id}/start`, { cookie });
    await t.services.jobs.worker.drain();
    const again = await status();
    expect(again.status).toBe("active");
    expect((await fetch(`http://127.0.0.1:${again.containerPort}/health`)).status).toBe(200);

    expect((await t.request("DELETE", `/api/annotators/${id}`, { cookie })).body).toEqual({ success: true });
    expect((await t.request("GET", `/api/annotators/${id}`, { cookie })).status).toBe(404);
    expect(await labelled()).toEqual({ containers: [], volumes: [] });
  });
});
