import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { AppError } from "../../lib/app-error.js";
import type { Services } from "../../services.js";
import type { ApiApp } from "../context.js";
import { catalogOf } from "./api-catalog.js";
import { renderLlmsTxt } from "./llms-txt.js";
import { createMcpServer } from "./mcp-server.js";

const TOKEN_HEADER = /^(?:Token|Bearer)\s+(\S+)$/i;

/**
 * `/mcp` (MCP over streamable HTTP, stateless: one server per POST, JSON answers) and `/llms.txt`.
 * Neither is an OpenAPI operation, so neither becomes a tool. `/mcp` sits outside `/api` and checks
 * its API token itself; each tool call then goes back through `/api` with the same header, where the
 * auth middleware and the route apply exactly as for a REST call.
 */
export function registerMcpRoutes(app: ApiApp, services: Services) {
  const catalog = catalogOf(app);

  app.all("/mcp", async (c) => {
    const authorization = c.req.header("authorization") ?? "";
    const key = TOKEN_HEADER.exec(authorization)?.[1];
    const principal = key ? await services.auth.service.resolveApiToken(key) : null;
    if (!principal) {
      c.header("WWW-Authenticate", 'Bearer realm="labelfleet"');
      throw new AppError("UNAUTHORIZED", "MCP needs an API token: send Authorization: Token <key>");
    }
    if (c.req.method !== "POST") {
      // Stateless: no session to resume and no server-initiated stream to open.
      return c.json(
        {
          jsonrpc: "2.0",
          error: { code: -32000, message: "Method not allowed: POST JSON-RPC messages to /mcp" },
          id: null,
        },
        405,
        { Allow: "POST" },
      );
    }
    const server = createMcpServer({
      catalog,
      fetch: (request) => app.fetch(request, c.env),
      headers: { authorization, "x-request-id": c.get("requestId") },
      version: services.version,
      baseUrl: new URL(c.req.url).origin,
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });

  app.get("/llms.txt", (c) =>
    c.text(
      renderLlmsTxt(catalog().tools, { version: services.version, publicUrl: services.config.publicUrl }),
    ),
  );
}
