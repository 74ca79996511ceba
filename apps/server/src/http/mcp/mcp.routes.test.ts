import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { z } from "@hono/zod-openapi";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { createApp } from "../app.js";
import { defineRoute, errors, json, jsonBody } from "../openapi.js";

type Tool = Awaited<ReturnType<Client["listTools"]>>["tools"][number];
type CallResult = { isError?: boolean; content: { type: string; text?: string }[] };

let t: TestApp;
let server: ReturnType<typeof serve>;
let mcpUrl: URL;
let adminKey: string;
const clients: Client[] = [];

async function tokenFor(cookie: string, role?: string): Promise<string> {
  const created = await t.request("POST", "/api/tokens", { cookie, body: { name: "mcp", role } });
  expect(created.status).toBe(201);
  return created.body.token;
}

/** An SDK client connected over streamable HTTP to the listening server (or to `fetch` when given). */
async function connect(key: string, options: { url?: URL; fetch?: typeof fetch } = {}): Promise<Client> {
  const client = new Client({ name: "labelfleet-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(options.url ?? mcpUrl, {
    requestInit: { headers: { Authorization: `Token ${key}` } },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const textOf = (result: unknown) =>
  (result as CallResult).content.map((block) => block.text ?? "").join("\n");
const jsonOf = (result: unknown) => JSON.parse(textOf(result));

beforeAll(async () => {
  t = await createTestApp();
  adminKey = await tokenFor(await t.login());
  server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  mcpUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
});
afterAll(async () => {
  for (const client of clients) await client.close();
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

describe("/mcp authentication", () => {
  const initialize = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  };
  const post = (headers: Record<string, string>) =>
    fetch(mcpUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...headers,
      },
      body: JSON.stringify(initialize),
    });

  it("answers 401 without a token, with a bad token, and with a session cookie", async () => {
    const cookie = await t.login();
    const attempts: Record<string, string>[] = [{}, { authorization: "Token not-a-key" }, { cookie }];
    for (const headers of attempts) {
      const response = await post(headers);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: string }).error).toMatch(/API token/);
    }
    await expect(connect("not-a-key")).rejects.toThrow();
  });

  it("accepts Token and Bearer keys, and refuses GET (stateless: no stream to open)", async () => {
    for (const scheme of ["Token", "Bearer"]) {
      const response = await post({ authorization: `${scheme} ${adminKey}` });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { result: { serverInfo: { name: string } } };
      expect(body.result.serverInfo.name).toBe("labelfleet");
    }
    const get = await fetch(mcpUrl, { headers: { authorization: `Token ${adminKey}` } });
    expect(get.status).toBe(405);
  });
});

describe("tools generated from the API", () => {
  let tools: Tool[];
  let operations: { method: string; path: string; operationId: string }[];
  beforeAll(async () => {
    tools = (await (await connect(adminKey)).listTools()).tools;
    const spec = (await t.request("GET", "/api/openapi.json")).body;
    operations = Object.entries(
      spec.paths as Record<string, Record<string, { operationId: string }>>,
    ).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ method, path, ...op })));
  });
  const tool = (name: string) => {
    const found = tools.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no tool ${name}`);
    return found;
  };

  it("has one tool per operation of /api/openapi.json, named in kebab-case from the operation id", () => {
    expect(operations.length).toBeGreaterThan(15);
    expect(tools).toHaveLength(operations.length);
    const kebab = (id: string) => id.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
    expect(tools.map((x) => x.name).sort()).toEqual(operations.map((op) => kebab(op.operationId)).sort());
    expect(tool("create-role").description).toBe("Create an annotator role");
  });

  it.each([
    ["list-roles", { readOnlyHint: true, destructiveHint: false, idempotentHint: true }],
    ["create-role", { readOnlyHint: false, destructiveHint: false, idempotentHint: false }],
    ["update-role", { readOnlyHint: false, destructiveHint: false, idempotentHint: true }],
    ["delete-role", { readOnlyHint: false, destructiveHint: true, idempotentHint: true }],
    ["revoke-api-token", { readOnlyHint: false, destructiveHint: true, idempotentHint: true }],
  ])("gives %s the hints of its method", (name, hints) => {
    expect(tool(name).annotations).toMatchObject(hints);
  });

  // The FSM capability spec's six tools (../shared/spec/fsm-state-capability.md), with its hints.
  it.each([
    [
      "trigger-state-backfill-organization",
      { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
    ],
    ["cancel-state-backfill-jobs", { readOnlyHint: false, destructiveHint: true, idempotentHint: true }],
    ["list-state-backfill-jobs", { readOnlyHint: true, destructiveHint: false, idempotentHint: true }],
    ["get-state-backfill-status", { readOnlyHint: true, destructiveHint: false, idempotentHint: true }],
    ["get-entity-state-history", { readOnlyHint: true, destructiveHint: false, idempotentHint: true }],
    [
      "execute-manual-state-transition",
      { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
    ],
  ])("exposes the FSM tool %s with the capability spec's hints", (name, hints) => {
    expect(tool(name).annotations).toMatchObject(hints);
  });

  it("merges path parameters, query parameters and the JSON body into one input schema", () => {
    const update = tool("update-role").inputSchema;
    expect(Object.keys(update.properties ?? {}).sort()).toEqual(["color", "description", "id", "name"]);
    expect(update.required).toEqual(["id"]);
    const create = tool("create-role").inputSchema;
    expect(create.required).toEqual(["name"]);
    expect(Object.keys(tool("list-roles").inputSchema.properties ?? {}).sort()).toEqual(["limit", "offset"]);
  });
});

describe("calling tools", () => {
  let admin: Client;
  beforeAll(async () => {
    admin = await connect(adminKey);
  });

  it("runs a write tool through the route: the role exists afterwards", async () => {
    const result = await admin.callTool({
      name: "create-role",
      arguments: { name: "mcp-labeler", color: "#3B82F6" },
    });
    expect(result.isError).toBeFalsy();
    const role = jsonOf(result);
    expect(role).toMatchObject({ id: expect.any(Number), name: "mcp-labeler", color: "#3B82F6" });
    const viaRest = await t.request("GET", `/api/roles/${role.id}`, { token: adminKey });
    expect(viaRest.body).toEqual(role);
  });

  it("runs read tools with path and query parameters", async () => {
    const created = (await t.request("POST", "/api/roles", { token: adminKey, body: { name: "mcp-reader" } }))
      .body;
    const got = await admin.callTool({ name: "get-role", arguments: { id: created.id } });
    expect(jsonOf(got)).toEqual(created);
    const page = jsonOf(await admin.callTool({ name: "list-roles", arguments: { limit: 1, offset: 0 } }));
    expect(page.data).toHaveLength(1);
    expect(page.pagination.total).toBeGreaterThanOrEqual(2);
  });

  it("returns the API's validation error as a tool error with its details", async () => {
    const result = (await admin.callTool({
      name: "create-role",
      arguments: { name: "bad-colour", color: "blue" },
    })) as CallResult;
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toMatch(/^Validation failed \(HTTP 400\)/);
    expect(text).toContain("hex colour");
    expect(JSON.parse(text.split("\n").slice(1).join("\n")).details[0].path).toEqual(["color"]);
    expect((await t.request("GET", "/api/roles", { token: adminKey })).body).not.toContainEqual(
      expect.objectContaining({ name: "bad-colour" }),
    );
  });

  it("returns 404s, 409s and bad arguments as tool errors", async () => {
    const missing = await admin.callTool({ name: "get-role", arguments: { id: 999_999 } });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/^Role not found \(HTTP 404\)/);
    await admin.callTool({ name: "create-role", arguments: { name: "dup" } });
    const duplicate = await admin.callTool({ name: "create-role", arguments: { name: "dup" } });
    expect(textOf(duplicate)).toMatch(/already exists \(HTTP 409\)/);
    const noId = await admin.callTool({ name: "get-role", arguments: {} });
    expect(textOf(noId)).toBe("Missing required argument: id");
    const unknown = await admin.callTool({ name: "no-such-tool", arguments: {} });
    expect(unknown.isError).toBe(true);
  });

  it("calls the FSM tools through their routes (spec paths with two path parameters)", async () => {
    const status = await admin.callTool({ name: "get-state-backfill-status", arguments: {} });
    expect(status.isError).toBeFalsy();
    expect(jsonOf(status)).toHaveProperty("org_status");
    const unknownEntity = await admin.callTool({
      name: "execute-manual-state-transition",
      arguments: { entity_name: "spaceship", entity_id: 1, transition_name: "pause" },
    });
    expect(unknownEntity.isError).toBe(true);
    expect(textOf(unknownEntity)).toMatch(/\(HTTP 404\)/);
  });

  it("applies the token's member role and organization, as REST does", async () => {
    // A viewer-role token (created by the admin: viewers cannot write, not even tokens).
    const viewer = await connect(await tokenFor(await t.login(), "viewer"));
    const write = await viewer.callTool({ name: "create-role", arguments: { name: "from-viewer" } });
    expect(write.isError).toBe(true);
    expect(textOf(write)).toMatch(/^Viewers have read-only access \(HTTP 403\)/);
    expect((await viewer.callTool({ name: "list-roles", arguments: {} })).isError).toBeFalsy();

    const role = (await t.request("POST", "/api/roles", { token: adminKey, body: { name: "org-a-only" } }))
      .body;
    const otherCookie = await t.memberSession("other@org-b.local", "admin", "org-b");
    const other = await connect(await tokenFor(otherCookie));
    const foreign = await other.callTool({ name: "get-role", arguments: { id: role.id } });
    expect(textOf(foreign)).toMatch(/\(HTTP 404\)/);
  });
});

describe("a route added to the app", () => {
  it("becomes a tool with no other change", async () => {
    const app = createApp(t.services);
    const Echo = z.object({ id: z.number(), verbose: z.boolean(), labels: z.array(z.string()) });
    app.openapi(
      defineRoute({
        method: "post",
        path: "/api/throwaway/{id}",
        operationId: "echoThrowaway",
        summary: "Echo for the MCP test",
        tags: ["Test"],
        "x-mcp": { idempotent: true },
        request: {
          params: z.object({ id: z.coerce.number().int().positive() }),
          query: z.object({ verbose: z.enum(["true", "false"]).optional() }),
          ...jsonBody(z.object({ labels: z.array(z.string()).min(1) })),
        },
        responses: { 200: json(Echo, "Echoed"), ...errors() },
      }),
      (c) =>
        c.json(
          {
            id: c.req.valid("param").id,
            verbose: c.req.valid("query").verbose === "true",
            labels: c.req.valid("json").labels,
          },
          200,
        ),
    );
    const client = await connect(adminKey, {
      url: new URL("http://127.0.0.1/mcp"),
      fetch: (url, init) => Promise.resolve(app.fetch(new Request(url, init))),
    });
    const { tools } = await client.listTools();
    const echo = tools.find((x) => x.name === "echo-throwaway");
    expect(echo?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
    });
    expect(echo?.inputSchema.required).toEqual(["id", "labels"]);
    const spec = (await (await app.request("/api/openapi.json")).json()) as { paths: object };
    expect(Object.keys(spec.paths)).toContain("/api/throwaway/{id}");

    const result = await client.callTool({
      name: "echo-throwaway",
      arguments: { id: 7, verbose: "true", labels: ["cat"] },
    });
    expect(jsonOf(result)).toEqual({ id: 7, verbose: true, labels: ["cat"] });
    const invalid = await client.callTool({ name: "echo-throwaway", arguments: { id: 7, labels: [] } });
    expect(textOf(invalid)).toMatch(/^Validation failed \(HTTP 400\)/);

    const before = (await (await connect(adminKey)).listTools()).tools;
    expect(before.some((x) => x.name === "echo-throwaway")).toBe(false);
    expect(tools).toHaveLength(before.length + 1);
  });
});

describe("GET /llms.txt", () => {
  it("is public plain text: an auth header, then one line per operation", async () => {
    const response = await fetch(new URL("/llms.txt", mcpUrl));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^# LabelFleet API/);
    expect(text).toContain("Authorization: Token <key>");
    const spec = (await t.request("GET", "/api/openapi.json")).body;
    const lines = text.split("\n").filter((line) => /^- (GET|POST|PUT|PATCH|DELETE) \//.test(line));
    const count = Object.values(spec.paths as Record<string, object>).reduce(
      (sum, methods) => sum + Object.keys(methods).length,
      0,
    );
    expect(lines).toHaveLength(count);
    expect(lines).toContain("- POST /api/roles: Create an annotator role (tool: create-role)");
  });
});
