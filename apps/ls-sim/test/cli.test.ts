import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { buildConfig, parseArgs } from "../src/cli.js";
import { startSimulator } from "../src/index.js";
import { api, TOKEN } from "./helpers.js";

const BIN = join(import.meta.dirname, "..", "bin", "ls-sim.mjs");

describe("CLI and persistence (contract §1.3, §2.2)", () => {
  it("§2.2: parses `label-studio start` options; CLI wins over env", () => {
    const args = parseArgs([
      "start",
      "my project",
      "--init",
      "-p",
      "9001",
      "--data-dir=/d",
      "-b",
      "--username",
      "u@x.io",
      "--password",
      "pw",
      "--enable-legacy-api-token",
      "--ml-backends",
      "a",
      "b",
      "--weird",
    ]);
    expect(args.command).toBe("start");
    expect(args.projectName).toBe("my project");
    expect(args.warnings).toEqual(["ignoring unsupported option --weird"]);
    const cfg = buildConfig(args, { LABEL_STUDIO_PORT: "7000", LABEL_STUDIO_USER_TOKEN: "env-token-123" });
    expect(cfg).toMatchObject({
      port: 9001,
      dataDir: "/d",
      username: "u@x.io",
      password: "pw",
      enableLegacyApiToken: true,
      userToken: "env-token-123",
    });
    expect(cfg.initProject?.title).toBe("my project");
    expect(buildConfig(parseArgs([]), { PORT: "7000" }).port).toBe(7000);
  });

  it("§2.2: `start --port 0` prints the listening line; env bootstraps the user; data survives a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ls-sim-cli-"));
    const env = {
      ...process.env,
      LABEL_STUDIO_USERNAME: "cli@example.com",
      LABEL_STUDIO_PASSWORD: "pw",
      LABEL_STUDIO_USER_TOKEN: TOKEN,
      LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN: "true",
    };
    const child = spawn(
      process.execPath,
      [BIN, "start", "--port", "0", "--data-dir", dataDir, "--no-browser"],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once("line", resolve);
        child.once("exit", (code) => reject(new Error(`exited ${code}`)));
      });
      expect(line).toMatch(/^ls-sim listening on http:\/\/127\.0\.0\.1:\d+$/);
      const url = line.replace("ls-sim listening on ", "");
      const created = await api({ url }, "POST", "/api/projects/", { title: "Persisted" });
      expect(created.status).toBe(201);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    const state = JSON.parse(readFileSync(join(dataDir, "ls-sim-state.json"), "utf8"));
    expect(state.projects.map((p: { fields: { title: string } }) => p.fields.title)).toEqual(["Persisted"]);
    expect(readFileSync(join(dataDir, ".env"), "utf8")).toMatch(/^SECRET_KEY=\w+/);
    const restarted = await startSimulator({ dataDir });
    try {
      const list = await api(restarted, "GET", "/api/projects/");
      expect(list.body.results.map((p: { title: string }) => p.title)).toEqual(["Persisted"]);
    } finally {
      await restarted.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("§2.2: --cert/--key are refused, as LS does not terminate TLS", async () => {
    const child = spawn(process.execPath, [BIN, "start", "--cert", "c.pem"], { stdio: "ignore" });
    const code = await new Promise((r) => child.once("exit", r));
    expect(code).toBe(2);
  });
});
