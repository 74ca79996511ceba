// The low-level Server, not McpServer: McpServer only registers tools from Zod schemas, while ours
// carry the JSON Schemas of the OpenAPI document and are listed from the live route registry.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { CatalogSource } from "./api-catalog.js";
import { ToolArgumentError, toolError, toRequest, toToolResult } from "./tool-call.js";

export interface McpServerOptions {
  catalog: CatalogSource;
  /** Runs a REST request through the app (its middleware, validation and handler). */
  fetch: (request: Request) => Response | Promise<Response>;
  /** Headers of every forwarded request: the caller's Authorization, a request id. */
  headers: Record<string, string>;
  version: string;
  /** Base of the forwarded requests' URLs; only the path reaches the app. */
  baseUrl?: string;
}

const INSTRUCTIONS = [
  "LabelFleet: the control plane of an annotation workforce on Label Studio Community.",
  "Each tool is one REST operation of the LabelFleet API (see /api/openapi.json and /llms.txt):",
  "its arguments are the operation's path and query parameters plus the properties of its JSON body",
  "(or one `body` argument when the body is not an object). Results are the API's JSON answers;",
  "API errors come back as tool errors carrying the API's message and details.",
].join(" ");

/**
 * An MCP server whose tools are the API's operations. A call becomes a REST request through
 * `fetch`, with the caller's credentials, so it gets the route's authorization and validation.
 */
export function createMcpServer(options: McpServerOptions): Server {
  const server = new Server(
    { name: "labelfleet", version: options.version },
    { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: options.catalog().tools.map(({ name, description, inputSchema, annotations, operation }) => ({
      name,
      description,
      inputSchema,
      annotations,
      _meta: {
        "labelfleet/operation": {
          operationId: operation.operationId,
          method: operation.method.toUpperCase(),
          path: operation.path,
        },
      },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = options.catalog().byName.get(request.params.name);
    if (!tool) return toolError(`Unknown tool: ${request.params.name}`);
    let httpRequest: Request;
    try {
      httpRequest = toRequest(tool, request.params.arguments ?? {}, {
        baseUrl: options.baseUrl ?? "http://labelfleet.internal",
        headers: options.headers,
      });
    } catch (error) {
      if (error instanceof ToolArgumentError) return toolError(error.message);
      throw error;
    }
    return toToolResult(await options.fetch(httpRequest));
  });
  return server;
}
