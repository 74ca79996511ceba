import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import Dockerode from "dockerode";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeInstanceSpec } from "../../../test/fakes/instance-spec.js";
import { onPostgres } from "../../../test/helpers/database.js";
import { loadConfig } from "../../config/config.js";
import type { InstanceBackend, InstanceInfo, InstanceRef, InstanceSpec } from "../instance-backend.js";
import { createDockerBackend } from "./docker.backend.js";

// The real Docker engine (DESIGN §9). scripts/ci-docker.sh installs docker.io when missing, starts
// dockerd, and builds the LS simulator image with `docker import`; containers are reached only on
// ports published on 127.0.0.1.
const script = new URL("../../../../../scripts/ci-docker.sh", import.meta.url).pathname;
const prefix = `lft${randomBytes(3).toString("hex")}-`;
const engine = new Dockerode({ socketPath: "/var/run/docker.sock" });
let image = "";

function backendWith(env: Record<string, string> = {}): InstanceBackend {
  const config = loadConfig({
    ORCHESTRATOR_BACKEND: "docker",
    LS_IMAGE: image,
    INSTANCE_NAME_PREFIX: prefix,
    DOCKER_PUBLISH_PORT: "true",
    DOCKER_PULL_IMAGE: "false",
    DOCKER_RESTART_POLICY: "no",
    DOCKER_STOP_TIMEOUT_SECONDS: "5",
    FLEET_DOMAIN: "fleet.test",
    ...env,
  });
  return createDockerBackend({ config });
}

const labelled = async () => ({
  containers: await engine.listContainers({ all: true, filters: { label: [`labelfleet.prefix=${prefix}`] } }),
  volumes: (await engine.listVolumes({ filters: { label: [`labelfleet.prefix=${prefix}`] } })).Volumes ?? [],
});

async function waitHealthy(info: InstanceInfo): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const response = await fetch(`${info.url}/health`);
      if (response.ok && JSON.parse(await response.text()).status === "UP") return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${info.url} never became healthy`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const api = (info: InstanceInfo, spec: InstanceSpec, path: string, init: RequestInit = {}) =>
  fetch(`${info.url}${path}`, {
    ...init,
    headers: { authorization: `Token ${spec.lsToken}`, "content-type": "application/json" },
  });

const refOf = (spec: InstanceSpec, info: InstanceInfo | null): InstanceRef => ({
  annotatorId: spec.annotatorId,
  subdomain: spec.subdomain,
  containerId: info?.containerId ?? null,
  backendData: info?.backendData ?? null,
});

describe("docker backend on the real engine", () => {
  beforeAll(() => {
    const out = execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    image = out.trim().split("\n").at(-1) ?? "";
    expect(image).toMatch(/^labelfleet\/ls-sim:/);
  }, 600_000);

  afterAll(async () => {
    // Whatever a failed assertion left behind.
    const { containers, volumes } = await labelled();
    for (const c of containers) await engine.getContainer(c.Id).remove({ force: true });
    for (const v of volumes) await engine.getVolume(v.Name).remove();
  });

  it("create → running and reachable → stop → start keeps data → remove leaves nothing labelled", async () => {
    const backend = backendWith();
    const spec = makeInstanceSpec();
    const info = await backend.create(spec);
    expect(info.host).toBe("127.0.0.1");
    await waitHealthy(info);
    expect((await backend.inspect(refOf(spec, info))).state).toBe("running");

    // Bootstrap (contract §1.3): the user exists and the legacy token authenticates.
    const me = await api(info, spec, "/api/current-user/whoami");
    expect(me.status).toBe(200);
    expect(((await me.json()) as { email: string }).email).toBe(spec.lsUsername);
    const project = await api(info, spec, "/api/projects/", {
      method: "POST",
      body: JSON.stringify({ title: "kept" }),
    });
    expect(project.status).toBe(201);

    const inspected = await engine.getContainer(info.containerId).inspect();
    expect(inspected.HostConfig.Init).toBe(true);
    expect(inspected.Config.Labels).toMatchObject({
      "labelfleet.instance": `${prefix}${spec.annotatorId}`,
      [`traefik.http.routers.${prefix}${spec.annotatorId}.rule`]: `Host(\`${spec.subdomain}.fleet.test\`)`,
    });
    expect(await backend.logs(refOf(spec, info), { tail: 20 })).toContain("listening");

    await backend.stop(refOf(spec, info));
    expect((await backend.inspect(refOf(spec, info))).state).toBe("stopped");
    await backend.stop(refOf(spec, info)); // idempotent

    const restarted = await backend.start(refOf(spec, info), spec);
    expect(restarted.containerId).toBe(info.containerId);
    await waitHealthy(restarted);
    expect((await backend.inspect(refOf(spec, restarted))).state).toBe("running");
    const projects = (await (await api(restarted, spec, "/api/projects/")).json()) as {
      results: { title: string }[];
    };
    expect(projects.results.map((p) => p.title)).toEqual(["kept"]);

    await backend.remove(refOf(spec, restarted), { dropDatabase: true });
    expect((await backend.inspect(refOf(spec, restarted))).state).toBe("missing");
    expect(await labelled()).toEqual({ containers: [], volumes: [] });
    await backend.remove(refOf(spec, restarted), { dropDatabase: true }); // idempotent
  });

  it("start recreates a container that disappeared, and remove without dropDatabase keeps the volume", async () => {
    const backend = backendWith();
    const spec = makeInstanceSpec();
    const info = await backend.create(spec);
    await engine.getContainer(info.containerId).remove({ force: true });
    expect((await backend.inspect(refOf(spec, info))).state).toBe("missing");

    const again = await backend.start(refOf(spec, info), spec);
    expect(again.containerId).not.toBe(info.containerId);
    await waitHealthy(again);

    await backend.remove(refOf(spec, again), { dropDatabase: false });
    const left = await labelled();
    expect(left.containers).toEqual([]);
    expect(left.volumes.map((v) => v.Name)).toEqual([`${prefix}${spec.annotatorId}-data`]);
    await backend.remove(refOf(spec, again), { dropDatabase: true });
    expect(await labelled()).toEqual({ containers: [], volumes: [] });
  });

  it("detects a crashed instance as failed, with the exit code", async () => {
    const backend = backendWith();
    const spec = makeInstanceSpec();
    const info = await backend.create(spec);
    await waitHealthy(info);
    // The simulator's crash fault answers, then exits 1, as a dying LS would.
    const crash = await fetch(`${info.url}/__sim/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ crash: true }),
    });
    expect(crash.status).toBe(200);
    await fetch(`${info.url}/health`).catch(() => undefined);
    let status = await backend.inspect(refOf(spec, info));
    for (let i = 0; i < 50 && status.state === "running"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await backend.inspect(refOf(spec, info));
    }
    expect(status).toMatchObject({ state: "failed", detail: "exited with code 1" });
    await backend.remove(refOf(spec, info), { dropDatabase: true });
  });

  it("fails with an explanation when the image is missing and pulling is off", async () => {
    const backend = backendWith({ LS_IMAGE: "labelfleet/does-not-exist:never" });
    await expect(backend.create(makeInstanceSpec())).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringContaining("labelfleet/does-not-exist:never is missing"),
    });
  });

  it.runIf(onPostgres)(
    "creates the annotator's PostgreSQL database and drops it with the instance",
    async () => {
      const adminUrl = process.env.TEST_DATABASE_URL as string;
      const backend = backendWith({ LS_DATABASE_URL: adminUrl, LS_DATABASE_INSTANCE_HOST: "db.fleet:5432" });
      const spec = makeInstanceSpec();
      const info = await backend.create(spec);
      const env = (await engine.getContainer(info.containerId).inspect()).Config.Env;
      expect(env).toEqual(
        expect.arrayContaining([
          "DJANGO_DB=default",
          `POSTGRE_NAME=${spec.databaseName}`,
          "POSTGRE_HOST=db.fleet",
        ]),
      );
      const count = async () => {
        const client = new pg.Client({ connectionString: adminUrl });
        await client.connect();
        const result = await client.query("select 1 from pg_database where datname = $1", [
          spec.databaseName,
        ]);
        await client.end();
        return result.rowCount;
      };
      expect(await count()).toBe(1);
      await backend.remove(refOf(spec, info), { dropDatabase: true });
      expect(await count()).toBe(0);
    },
  );
});
