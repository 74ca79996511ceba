import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLabelStudioClient } from "../../labelstudio/client.js";
import { createLogger } from "../../lib/logger.js";
import { SIMULATOR_BIN } from "../index.js";
import type { InstanceRef, InstanceSpec } from "../instance-backend.js";
import { createProcessBackend, type InstanceExit } from "./process.backend.js";

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
  return check();
};

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "lf-process-backend-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const specFor = (annotatorId: number): InstanceSpec => ({
  annotatorId,
  organizationId: 1,
  subdomain: `ann-${annotatorId}`,
  lsUsername: `ann-${annotatorId}@example.com`,
  lsPassword: "secret-password",
  lsToken: `${annotatorId}`.padStart(40, "0"),
  webhookSecret: "hook",
  databaseName: `ls_annotator_${annotatorId}`,
  callbackBaseUrl: "http://127.0.0.1:1",
});
const refFor = (annotatorId: number): InstanceRef => ({
  annotatorId,
  subdomain: `ann-${annotatorId}`,
  containerId: null,
  backendData: null,
});
const log = createLogger("silent");

describe("process backend (bundled LS simulator)", () => {
  it("creates, stops, restarts with its data, and removes an instance; no process is left", async () => {
    const exits: InstanceExit[] = [];
    const backend = createProcessBackend({
      command: [process.execPath, SIMULATOR_BIN],
      dataRoot: root,
      log,
      readyTimeoutMs: 20_000,
      onExit: (e) => exits.push(e),
    });
    const spec = specFor(1);
    const info = await backend.create(spec);
    expect(info).toMatchObject({ containerId: "labelfleet-ls-1", host: "127.0.0.1" });
    expect(info.url).toBe(`http://127.0.0.1:${info.port}`);
    const pid = info.backendData?.pid as number;
    expect(isAlive(pid)).toBe(true);
    expect(await backend.inspect(refFor(1))).toMatchObject({ state: "running", restarts: 0 });

    // The bootstrap of §1.3 worked: the legacy token authenticates as the configured user.
    const client = createLabelStudioClient({ baseUrl: info.url, token: spec.lsToken, retries: 0 });
    expect((await client.currentUser()).email).toBe(spec.lsUsername);
    const project = await client.createProject({ title: "kept across restarts" });
    expect(await backend.logs(refFor(1), { tail: 10 })).toContain("listening on");

    await backend.stop(refFor(1));
    expect(isAlive(pid)).toBe(false);
    expect(await backend.inspect(refFor(1))).toMatchObject({ state: "stopped" });
    expect(exits).toEqual([]); // a requested stop is not a crash

    const again = await backend.start(refFor(1), spec);
    const client2 = createLabelStudioClient({ baseUrl: again.url, token: spec.lsToken, retries: 0 });
    expect((await client2.getProject(project.id)).title).toBe("kept across restarts");

    const pid2 = again.backendData?.pid as number;
    await backend.remove(refFor(1), { dropDatabase: true });
    expect(isAlive(pid2)).toBe(false);
    expect(existsSync(path.join(root, "instances", "1"))).toBe(false);
    expect(await backend.inspect(refFor(1))).toMatchObject({ state: "missing" });
    await backend.close();
  });

  it("reports a crash of a ready instance, and counts the respawn", async () => {
    const exits: InstanceExit[] = [];
    const backend = createProcessBackend({
      command: [process.execPath, SIMULATOR_BIN],
      dataRoot: root,
      log,
      readyTimeoutMs: 20_000,
      onExit: (e) => exits.push(e),
    });
    const info = await backend.create(specFor(2));
    process.kill(info.backendData?.pid as number, "SIGKILL");
    expect(await until(() => exits.length === 1)).toBe(true);
    expect(exits[0]).toMatchObject({ annotatorId: 2, exit: { signal: "SIGKILL" } });
    expect(exits[0]?.detail).toMatch(/killed by SIGKILL/);
    expect(await backend.inspect(refFor(2))).toMatchObject({ state: "failed" });
    await backend.start(refFor(2), specFor(2));
    expect(await backend.inspect(refFor(2))).toMatchObject({ state: "running", restarts: 1 });
    await backend.close();
    expect(backend.pids().size).toBe(0);
  });

  it("fails fast with the program's exit code and output when the command cannot serve", async () => {
    const script = path.join(root, "broken.mjs");
    writeFileSync(script, `console.error("no database configured"); process.exit(3);\n`);
    const backend = createProcessBackend({
      command: [process.execPath, script],
      dataRoot: root,
      log,
      readyTimeoutMs: 20_000,
    });
    const started = Date.now();
    await expect(backend.create(specFor(3))).rejects.toThrow(/exited with code 3.*no database configured/);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(
      createProcessBackend({
        command: ["/nonexistent/label-studio"],
        dataRoot: root,
        log,
        readyTimeoutMs: 5000,
      }).create(specFor(4)),
    ).rejects.toThrow(/could not be started \(spawn .*ENOENT\)/);
    await backend.close();
  });

  it("kills a process that never answers /health when the readiness timeout passes", async () => {
    const script = path.join(root, "silent.mjs");
    writeFileSync(script, "setInterval(() => {}, 1000);\n");
    const backend = createProcessBackend({
      command: [process.execPath, script],
      dataRoot: root,
      log,
      readyTimeoutMs: 800,
    });
    await expect(backend.create(specFor(5))).rejects.toThrow(/did not answer \/health .* within 1 s/);
    expect(backend.pids().size).toBe(0);
    await backend.close();
  });
});
