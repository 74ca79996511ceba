/**
 * Turns the OpenAPI document of the API into MCP tool definitions: one tool per operation. Pure: the
 * document is generated from the route registry (http/mcp/api-catalog.ts), so a route that lands
 * becomes a tool with no other change.
 */

/** The slice of an OpenAPI 3.1 document this module reads. */
export interface OpenApiDocument {
  paths?: Record<string, Record<string, unknown> | undefined>;
  components?: { schemas?: Record<string, unknown> };
}

interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  "x-mcp"?: McpOverrides;
}

export type JsonSchema = Record<string, unknown>;

/**
 * Per-route overrides, set as `"x-mcp": {...}` on a route's config (it also shows in openapi.json).
 * Hints default from the method: GET read-only + idempotent; PUT and DELETE idempotent; DELETE
 * destructive.
 */
export interface McpOverrides {
  name?: string;
  readOnly?: boolean;
  destructive?: boolean;
  idempotent?: boolean;
  openWorld?: boolean;
}

export const MCP_EXTENSION = "x-mcp";

export const HTTP_METHODS = ["get", "put", "post", "delete", "patch"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface ToolAnnotations {
  title?: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint?: boolean;
}

/**
 * How a tool's arguments map back onto the HTTP request: path and query parameters by name; the JSON
 * body either merged into the arguments (`merged`: the body is an object whose properties do not
 * collide with a parameter) or as one `body` argument (`nested`: any other body).
 */
export interface ToolOperation {
  operationId: string;
  method: HttpMethod;
  path: string;
  summary: string;
  tags: string[];
  pathParams: string[];
  queryParams: string[];
  body: { mode: "none" } | { mode: "merged"; required: boolean } | { mode: "nested"; required: boolean };
}

export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: { type: "object"; properties: Record<string, JsonSchema>; required?: string[] } & JsonSchema;
  annotations: ToolAnnotations;
  operation: ToolOperation;
}

/** `createRole` → `create-role`; `getAPIToken` → `get-api-token`. */
export function kebabCase(operationId: string): string {
  return operationId
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase();
}

/** The MCP hints of an operation: defaults from the method, then the route's overrides. */
export function hintsFor(method: HttpMethod, overrides: McpOverrides = {}): ToolAnnotations {
  const hints: ToolAnnotations = {
    readOnlyHint: overrides.readOnly ?? method === "get",
    destructiveHint: overrides.destructive ?? method === "delete",
    idempotentHint: overrides.idempotent ?? (method === "get" || method === "put" || method === "delete"),
  };
  if (overrides.openWorld !== undefined) hints.openWorldHint = overrides.openWorld;
  return hints;
}

const COMPONENT_REF = "#/components/schemas/";

function resolveRef(document: OpenApiDocument, schema: JsonSchema | undefined): JsonSchema | undefined {
  const ref = schema?.$ref;
  if (typeof ref !== "string" || !ref.startsWith(COMPONENT_REF)) return schema;
  const target = document.components?.schemas?.[ref.slice(COMPONENT_REF.length)];
  return resolveRef(document, target as JsonSchema | undefined);
}

const isPlainObjectSchema = (schema: JsonSchema | undefined): schema is JsonSchema =>
  schema !== undefined &&
  (schema.type === "object" || (Array.isArray(schema.type) && schema.type.includes("object"))) &&
  typeof schema.properties === "object" &&
  schema.properties !== null &&
  !("anyOf" in schema || "oneOf" in schema || "allOf" in schema);

/**
 * A tool's input schema must stand alone: component references become `#/$defs/<name>`, with every
 * component they reach copied into `$defs`.
 */
function withLocalDefs(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const components = document.components?.schemas ?? {};
  const defs: Record<string, unknown> = {};
  const pending: string[] = [];
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string" && child.startsWith(COMPONENT_REF)) {
        const name = child.slice(COMPONENT_REF.length);
        if (!(name in defs) && !pending.includes(name)) pending.push(name);
        out[key] = `#/$defs/${name}`;
      } else out[key] = rewrite(child);
    }
    return out;
  };
  const result = rewrite(schema) as JsonSchema;
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    defs[name] = rewrite(components[name] ?? {});
  }
  return Object.keys(defs).length > 0 ? { ...result, $defs: defs } : result;
}

function toolFor(document: OpenApiDocument, path: string, method: HttpMethod, op: OpenApiOperation) {
  const operationId = op.operationId ?? `${method}${path.replace(/[^A-Za-z0-9]+/g, "-")}`;
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const pathParams: string[] = [];
  const queryParams: string[] = [];
  for (const param of op.parameters ?? []) {
    if (param.in !== "path" && param.in !== "query") continue;
    const description = param.description ?? (param.schema?.description as string | undefined);
    properties[param.name] = { ...param.schema, ...(description ? { description } : {}) };
    // A path parameter is always required, whatever its schema says.
    if (param.in === "path") {
      pathParams.push(param.name);
      required.push(param.name);
    } else {
      queryParams.push(param.name);
      if (param.required) required.push(param.name);
    }
  }

  let body: ToolOperation["body"] = { mode: "none" };
  const bodySchema = op.requestBody?.content?.["application/json"]?.schema;
  if (bodySchema) {
    const isRequired = op.requestBody?.required === true;
    const resolved = resolveRef(document, bodySchema);
    const bodyProperties = isPlainObjectSchema(resolved)
      ? (resolved.properties as Record<string, JsonSchema>)
      : undefined;
    const collides = bodyProperties && Object.keys(bodyProperties).some((key) => key in properties);
    if (bodyProperties && !collides) {
      body = { mode: "merged", required: isRequired };
      Object.assign(properties, bodyProperties);
      if (isRequired && Array.isArray(resolved?.required)) required.push(...(resolved.required as string[]));
    } else {
      body = { mode: "nested", required: isRequired };
      properties.body = { ...bodySchema, description: "JSON request body" };
      if (isRequired) required.push("body");
    }
  }

  const overrides = op[MCP_EXTENSION] ?? {};
  const summary = op.summary ?? `${method.toUpperCase()} ${path}`;
  const inputSchema = withLocalDefs(document, {
    type: "object",
    properties,
    ...(required.length > 0 ? { required } : {}),
  }) as ToolDefinition["inputSchema"];
  return {
    name: overrides.name ?? kebabCase(operationId),
    description: op.description ? `${summary}\n\n${op.description}` : summary,
    inputSchema,
    annotations: { title: summary, ...hintsFor(method, overrides) },
    operation: { operationId, method, path, summary, tags: op.tags ?? [], pathParams, queryParams, body },
  } satisfies ToolDefinition;
}

/**
 * One tool per operation of `document`, in document order. Throws when two operations would share a
 * tool name: a silent shadowing would send agents to the wrong route.
 */
export function buildToolCatalog(document: OpenApiDocument): ToolDefinition[] {
  const tools: ToolDefinition[] = [];
  const seen = new Map<string, string>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const op = item?.[method] as OpenApiOperation | undefined;
      if (!op) continue;
      const tool = toolFor(document, path, method, op);
      const previous = seen.get(tool.name);
      if (previous) {
        throw new Error(`MCP tool name ${tool.name} is used by both ${previous} and ${method} ${path}`);
      }
      seen.set(tool.name, `${method} ${path}`);
      tools.push(tool);
    }
  }
  return tools;
}
