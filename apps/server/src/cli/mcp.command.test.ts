import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boot } from "../boot.js";
import { loadConfig } from "../config/config.js";
import { randomToken } from "../lib/crypto.js";
import { createLogger } from "../lib/logger.js";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const TSX = createRequire(import.meta.url).resolve("tsx/cli");

let dataDir: string;
let env: Record<string, string>;
let key: string;

// The real command in a child process, on an embedded database prepared here (a member and a token).
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "labelfleet-mcp-cli-"));
  env = {
    ...getDefaultEnvironment(),
    LABELFLEET_DATA_DIR: dataDir,
    AUTH_SECRET: randomToken(32),
    LOG_LEVEL: "info",
    NODE_ENV: "test",
  };
  const services = await boot(loadConfig(env), createLogger("silent"));
  const { member, organization } = await services.organizations.addMember({
    email: "agent@fleet.local",
    password: "password-123",
    role: "admin",
    organizationSlug: "default",
  });
  key = (
    await services.apiTokens.create(
      { memberId: member.id, organizationId: organization.id, role: "admin" },
      { name: "cli" },
    )
  ).token;
  await services.database.close();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("labelfleet mcp", () => {
  it("serves the tools over stdio as the member of LABELFLEET_TOKEN, logging only to stderr", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [TSX, MAIN, "mcp", "--no-worker"],
      env: { ...env, LABELFLEET_TOKEN: key },
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: "cli-test", version: "1.0.0" });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(["create-role", "list-roles"]));
      const created = await client.callTool({ name: "create-role", arguments: { name: "via-stdio" } });
      expect(created.isError).toBeFalsy();
      const listed = await client.callTool({ name: "list-roles", arguments: {} });
      const text = (listed.content as { text: string }[])[0]?.text ?? "";
      expect(JSON.parse(text)).toContainEqual(expect.objectContaining({ name: "via-stdio" }));
    } finally {
      await client.close();
    }
    // The log line went to stderr (stdout is the protocol, a stray line there would break it).
    expect(stderr).toContain("MCP server on stdio");
    expect(stderr).toContain("agent@fleet.local");
  }, 60_000);

  // (An unknown token is refused before serving: mcp-stdio.test.ts, without the cost of another boot.)
  it("exits with 2 and a message, before opening the database, without a token", async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [TSX, MAIN, "mcp"],
        { env, encoding: "utf8", timeout: 30_000 },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      );
      child.stdin?.end();
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs an API token: --token <key> or LABELFLEET_TOKEN/);
    expect(result.stdout).toBe("");
  }, 60_000);
});
