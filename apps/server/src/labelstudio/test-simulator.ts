import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** Path of the simulator's CLI; talking to it over HTTP keeps the two workspaces independent. */
export const LS_SIM_BIN = fileURLToPath(new URL("../../../ls-sim/bin/ls-sim.mjs", import.meta.url));

/** A simulator child process for tests, with helpers for its test-only `/__sim/` routes. */
export interface SimulatorProcess {
  url: string;
  token: string;
  dataDir: string;
  /** `POST /__sim/faults` (see apps/ls-sim/README.md). */
  setFaults(patch: Record<string, unknown>): Promise<void>;
  /** `DELETE /__sim/faults` and clears the request log. */
  resetFaults(): Promise<void>;
  requestLog(): Promise<Array<{ method: string; path: string; status: number; injected: boolean }>>;
  webhookLog(): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

async function simCall(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url + path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`ls-sim ${method} ${path} → ${res.status}: ${await res.text()}`);
  return res.json();
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("ls-sim did not start in time")), timeoutMs);
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += String(chunk);
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const m = /^ls-sim listening on (http:\/\/\S+)$/.exec(line);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`ls-sim exited with ${code}: ${stderr}`));
    });
  });
}

/**
 * Starts the LS simulator through its CLI exactly as a process backend would
 * (`ls-sim start --port 0 --data-dir <tmp>` + the bootstrap env vars of contract §1.3).
 */
export async function spawnSimulator(
  opts: { legacyTokens?: boolean; env?: Record<string, string> } = {},
): Promise<SimulatorProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "labelfleet-ls-sim-"));
  const token = randomBytes(20).toString("hex");
  const child = spawn(
    process.execPath,
    [LS_SIM_BIN, "start", "--port", "0", "--data-dir", dataDir, "--no-browser"],
    {
      env: {
        ...process.env,
        LABEL_STUDIO_USERNAME: "annotator@labelfleet.test",
        LABEL_STUDIO_PASSWORD: randomBytes(8).toString("hex"),
        LABEL_STUDIO_USER_TOKEN: token,
        LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN: opts.legacyTokens === false ? "false" : "true",
        ...opts.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const url = await waitForListening(child, 20_000);
  return {
    url,
    token,
    dataDir,
    setFaults: async (patch) => {
      await simCall(url, "POST", "/__sim/faults", patch);
    },
    resetFaults: async () => {
      await simCall(url, "DELETE", "/__sim/faults");
      await simCall(url, "DELETE", "/__sim/request-log");
    },
    requestLog: () => simCall(url, "GET", "/__sim/request-log") as ReturnType<SimulatorProcess["requestLog"]>,
    webhookLog: () => simCall(url, "GET", "/__sim/webhook-log") as ReturnType<SimulatorProcess["webhookLog"]>,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
