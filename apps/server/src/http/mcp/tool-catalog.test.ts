import { describe, expect, it } from "vitest";
import { toRequest, toToolResult } from "./tool-call.js";
import { buildToolCatalog, hintsFor, kebabCase, type OpenApiDocument } from "./tool-catalog.js";

describe("kebabCase", () => {
  it.each([
    ["createRole", "create-role"],
    ["getHealth", "get-health"],
    ["triggerStateBackfillOrganization", "trigger-state-backfill-organization"],
    ["executeManualStateTransition", "execute-manual-state-transition"],
    ["getAPIToken", "get-api-token"],
    ["listItemsV2", "list-items-v2"],
    ["get_task_agreement", "get-task-agreement"],
  ])("%s → %s", (operationId, name) => expect(kebabCase(operationId)).toBe(name));
});

describe("hintsFor", () => {
  it.each([
    ["get", {}, { readOnlyHint: true, destructiveHint: false, idempotentHint: true }],
    ["post", {}, { readOnlyHint: false, destructiveHint: false, idempotentHint: false }],
    ["put", {}, { readOnlyHint: false, destructiveHint: false, idempotentHint: true }],
    ["patch", {}, { readOnlyHint: false, destructiveHint: false, idempotentHint: false }],
    ["delete", {}, { readOnlyHint: false, destructiveHint: true, idempotentHint: true }],
    ["post", { idempotent: true }, { readOnlyHint: false, destructiveHint: false, idempotentHint: true }],
    ["delete", { destructive: false }, { readOnlyHint: false, destructiveHint: false, idempotentHint: true }],
    [
      "post",
      { openWorld: true },
      { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    ],
  ] as const)("%s with overrides %j", (method, overrides, hints) => {
    expect(hintsFor(method, overrides)).toEqual(hints);
  });
});

const document: OpenApiDocument = {
  components: {
    schemas: {
      Label: {
        type: "object",
        properties: { value: { type: "string" }, parent: { $ref: "#/components/schemas/Label" } },
      },
      Move: {
        type: "object",
        properties: { to: { type: "string" }, label: { $ref: "#/components/schemas/Label" } },
        required: ["to"],
      },
    },
  },
  paths: {
    "/api/things/{id}/move": {
      post: {
        operationId: "moveThing",
        summary: "Move a thing",
        tags: ["Things"],
        "x-mcp": { name: "move-the-thing", idempotent: true },
        parameters: [
          { name: "id", in: "path", required: false, schema: { type: "integer" } },
          { name: "dry_run", in: "query", schema: { type: "boolean" }, description: "Only check" },
          { name: "x-trace", in: "header", schema: { type: "string" } },
        ],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/Move" } } },
        },
      },
    },
    "/api/things/bulk": {
      post: {
        operationId: "createThings",
        summary: "Create things",
        requestBody: {
          required: true,
          content: { "application/json": { schema: { type: "array", items: { type: "string" } } } },
        },
      },
      delete: {
        operationId: "deleteThings",
        summary: "Delete things",
        parameters: [{ name: "ids", in: "query", schema: { type: "array", items: { type: "integer" } } }],
      },
    },
  },
};

describe("buildToolCatalog", () => {
  const tools = buildToolCatalog(document);
  const byName = (name: string) => tools.find((tool) => tool.name === name)!;

  it("makes one tool per operation, honouring x-mcp overrides", () => {
    expect(tools.map((tool) => tool.name)).toEqual(["move-the-thing", "create-things", "delete-things"]);
    expect(byName("move-the-thing").annotations).toEqual({
      title: "Move a thing",
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
    });
    expect(byName("delete-things").annotations.destructiveHint).toBe(true);
  });

  it("merges an object body (even behind a $ref) and makes references local", () => {
    const schema = byName("move-the-thing").inputSchema;
    expect(Object.keys(schema.properties)).toEqual(["id", "dry_run", "to", "label"]);
    expect(schema.required).toEqual(["id", "to"]);
    expect(schema.properties.dry_run).toEqual({ type: "boolean", description: "Only check" });
    expect(schema.properties.label).toEqual({ $ref: "#/$defs/Label" });
    expect(schema.$defs).toEqual({
      Label: { type: "object", properties: { value: { type: "string" }, parent: { $ref: "#/$defs/Label" } } },
    });
    expect(JSON.stringify(schema)).not.toContain("#/components/");
  });

  it("nests a body that is not an object under `body`", () => {
    const tool = byName("create-things");
    expect(tool.operation.body).toEqual({ mode: "nested", required: true });
    expect(tool.inputSchema.required).toEqual(["body"]);
    expect(tool.inputSchema.properties.body).toMatchObject({ type: "array" });
  });

  it("refuses two operations that would share a tool name", () => {
    const clash: OpenApiDocument = {
      paths: { "/a": { get: { operationId: "getAPIKey" } }, "/b": { get: { operationId: "getApiKey" } } },
    };
    expect(() => buildToolCatalog(clash)).toThrow(/get-api-key is used by both get \/a and get \/b/);
  });
});

describe("toRequest / toToolResult", () => {
  const tools = buildToolCatalog(document);
  const options = { baseUrl: "http://lf.test", headers: { authorization: "Token k" } };

  it("puts path parameters in the path, query parameters in the query and the rest in the body", async () => {
    const request = toRequest(tools[0]!, { id: "a/b", dry_run: true, to: "shelf", extra: 1 }, options);
    expect(request.method).toBe("POST");
    expect(request.url).toBe("http://lf.test/api/things/a%2Fb/move?dry_run=true");
    expect(request.headers.get("authorization")).toBe("Token k");
    expect(await request.json()).toEqual({ to: "shelf", extra: 1 });
  });

  it("repeats array query parameters, sends a nested body as is, and refuses unknown arguments", async () => {
    const remove = toRequest(tools[2]!, { ids: [1, 2] }, options);
    expect(new URL(remove.url).searchParams.getAll("ids")).toEqual(["1", "2"]);
    expect(remove.body).toBeNull();
    expect(() => toRequest(tools[2]!, { idz: [1] }, options)).toThrow(/Unknown argument\(s\): idz/);
    expect(await toRequest(tools[1]!, { body: ["x", "y"] }, options).json()).toEqual(["x", "y"]);
    expect(() => toRequest(tools[0]!, { to: "x" }, options)).toThrow(/Missing required argument: id/);
  });

  it("maps error answers to tool errors that lead with the API's message", async () => {
    const body = {
      error: "Transition not allowed",
      current_state: "paused",
      allowed_transitions: ["resume"],
    };
    const result = await toToolResult(new Response(JSON.stringify(body), { status: 409 }));
    expect(result.isError).toBe(true);
    const [first, ...rest] = result.content[0]!.text.split("\n");
    expect(first).toBe("Transition not allowed (HTTP 409)");
    expect(JSON.parse(rest.join("\n"))).toEqual(body);
    const ok = await toToolResult(new Response("[1]", { status: 200, headers: { "x-total-count": "7" } }));
    expect(ok).toEqual({
      content: [{ type: "text", text: "[1]" }],
      _meta: { "labelfleet/status": 200, "labelfleet/totalCount": 7 },
    });
  });
});
