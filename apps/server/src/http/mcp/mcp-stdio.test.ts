import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { connectTokenMcp } from "./mcp-stdio.js";

type CallResult = { isError?: boolean; content: { type: string; text?: string }[] };

let t: TestApp;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
});
afterAll(() => t.close());

async function clientFor(key: string) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const mcp = await connectTokenMcp({ app: t.app, services: t.services, key, transport: serverSide });
  const client = new Client({ name: "stdio-test", version: "1.0.0" });
  await client.connect(clientSide);
  return { client, mcp };
}

describe("the token-bound MCP server (labelfleet mcp)", () => {
  it("refuses an unknown token before serving anything", async () => {
    const [, serverSide] = InMemoryTransport.createLinkedPair();
    await expect(
      connectTokenMcp({ app: t.app, services: t.services, key: "nope", transport: serverSide }),
    ).rejects.toThrow(/unknown, expired or revoked/);
  });

  it("acts as the token's member, and stops working once the token is revoked", async () => {
    const token = (await t.request("POST", "/api/tokens", { cookie, body: { name: "stdio" } })).body;
    const { client, mcp } = await clientFor(token.token);
    expect(mcp.principal).toMatchObject({ email: "admin@fleet.local", via: "token" });
    const { tools } = await client.listTools();
    const spec = (await t.request("GET", "/api/openapi.json")).body;
    const operations = Object.values(spec.paths as Record<string, object>).flatMap((m) => Object.keys(m));
    expect(tools).toHaveLength(operations.length);

    const xml =
      '<View><Image name="img" value="$image"/><Choices name="c" toName="img"><Choice value="a"/></Choices></View>';
    const created = (await client.callTool({
      name: "create-labeling-config",
      arguments: { name: "stdio-config", configXml: xml },
    })) as CallResult;
    expect(created.isError).toBeFalsy();
    const viaRest = await t.request("GET", "/api/labeling-configs", { cookie });
    expect(viaRest.body).toContainEqual(expect.objectContaining({ name: "stdio-config", configXml: xml }));
    const badXml = (await client.callTool({
      name: "create-labeling-config",
      arguments: { name: "broken", configXml: "<View>" },
    })) as CallResult;
    expect(badXml.isError).toBe(true);
    expect(badXml.content[0]?.text).toMatch(/\(HTTP 400\)/);

    expect((await t.request("DELETE", `/api/tokens/${token.id}`, { cookie })).status).toBe(200);
    const after = (await client.callTool({ name: "list-roles", arguments: {} })) as CallResult;
    expect(after.isError).toBe(true);
    expect(after.content[0]?.text).toMatch(/^Unauthorized \(HTTP 401\)/);
    await client.close();
  });
});
