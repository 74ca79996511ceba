import { describe, expect, it } from "vitest";
import type { InstanceSpec } from "../instance-backend.js";
import {
  announcedPort,
  buildProcessSpec,
  instanceSecretKey,
  parseCommandLine,
  resolveLabelStudioCommand,
} from "./process-spec.js";

const spec: InstanceSpec = {
  annotatorId: 7,
  organizationId: 1,
  subdomain: "alice",
  lsUsername: "alice@example.com",
  lsPassword: "pw-123456",
  lsToken: "a".repeat(40),
  webhookSecret: "hook-secret",
  databaseName: "ls_annotator_7",
  callbackBaseUrl: "http://localhost:3000/",
};

describe("parseCommandLine", () => {
  it.each([
    ["label-studio", ["label-studio"]],
    ["  python  -m label_studio.server ", ["python", "-m", "label_studio.server"]],
    [`node "/opt/my dir/ls.mjs" --flag`, ["node", "/opt/my dir/ls.mjs", "--flag"]],
    [`a 'b c' d\\ e ""`, ["a", "b c", "d e", ""]],
    [`x "say \\"hi\\""`, ["x", 'say "hi"']],
  ])("%s", (line, words) => {
    expect(parseCommandLine(line)).toEqual(words);
  });

  it("refuses an unterminated quote", () => {
    expect(() => parseCommandLine(`ls "oops`)).toThrow(/Unterminated/);
  });
});

describe("resolveLabelStudioCommand", () => {
  const base = { nodePath: "/usr/bin/node", simulatorBin: "/repo/apps/ls-sim/bin/ls-sim.mjs" };
  it.each([
    [
      "the configured command wins",
      "python -m label_studio",
      "/usr/bin/label-studio",
      ["python", "-m", "label_studio"],
    ],
    ["label-studio on PATH", undefined, "/usr/local/bin/label-studio", ["/usr/local/bin/label-studio"]],
    ["else the bundled simulator", undefined, null, ["/usr/bin/node", "/repo/apps/ls-sim/bin/ls-sim.mjs"]],
  ])("%s", (_, configured, onPath, expected) => {
    expect(resolveLabelStudioCommand(configured, { ...base, onPath: () => onPath })).toEqual(expected);
  });

  it("refuses a blank LABEL_STUDIO_COMMAND", () => {
    expect(() => resolveLabelStudioCommand("   ", { ...base, onPath: () => null })).toThrow(/empty/);
  });
});

describe("buildProcessSpec", () => {
  const built = buildProcessSpec({
    command: ["/usr/bin/node", "/sim.mjs"],
    spec,
    port: 41000,
    dataRoot: "/data",
    parentEnv: {
      PATH: "/bin",
      HOME: "/root",
      PORT: "3000",
      HOST: "0.0.0.0",
      USERNAME: "x",
      AUTH_SECRET: "s",
    },
  });

  it("runs `start` on the given port, bound to 127.0.0.1, in the annotator's folder (§2.2)", () => {
    expect(built.file).toBe("/usr/bin/node");
    expect(built.args).toEqual([
      "/sim.mjs",
      "start",
      "--port",
      "41000",
      "--internal-host",
      "127.0.0.1",
      "--data-dir",
      "/data/instances/7",
      "--no-browser",
    ]);
    expect(built.dataDir).toBe("/data/instances/7");
  });

  it("bootstraps the user, its legacy token and a stable SECRET_KEY (§1.3)", () => {
    expect(built.env).toMatchObject({
      LABEL_STUDIO_USERNAME: "alice@example.com",
      LABEL_STUDIO_PASSWORD: "pw-123456",
      LABEL_STUDIO_USER_TOKEN: "a".repeat(40),
      LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN: "true",
      LABEL_STUDIO_BASE_DATA_DIR: "/data/instances/7",
      LABEL_STUDIO_HOST: "http://127.0.0.1:41000",
      SECRET_KEY: instanceSecretKey(spec),
      LABELFLEET_CALLBACK_URL: "http://localhost:3000/api/annotators/7/token",
      LABELFLEET_WEBHOOK_SECRET: "hook-secret",
    });
    expect(instanceSecretKey(spec)).toBe(instanceSecretKey({ ...spec }));
    expect(instanceSecretKey(spec)).not.toBe(instanceSecretKey({ ...spec, lsToken: "b".repeat(40) }));
  });

  it("inherits PATH and HOME but never the server's bare PORT/HOST/USERNAME or its secrets", () => {
    expect(built.env.PATH).toBe("/bin");
    expect(built.env.HOME).toBe("/root");
    for (const name of ["PORT", "HOST", "USERNAME", "AUTH_SECRET"])
      expect(built.env).not.toHaveProperty(name);
  });
});

describe("announcedPort", () => {
  it.each([
    ["ls-sim listening on http://127.0.0.1:41237", 41237],
    ["Starting development server at http://0.0.0.0:8081/", 8081],
    ["ls-sim: User a@b.co created", null],
    ["see http://example.com/docs", null],
  ])("%s → %s", (line, port) => {
    expect(announcedPort(line)).toBe(port);
  });
});
