import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { AppError } from "../../lib/app-error.js";
import type { Principal } from "../../modules/auth/principal.js";
import type { Services } from "../../services.js";
import type { ApiApp } from "../context.js";
import { catalogOf } from "./api-catalog.js";
import { createMcpServer } from "./mcp-server.js";

/**
 * Serves the MCP tools on `transport` (stdio for `labelfleet mcp`) as the member of API token `key`,
 * in-process: each call goes through `app.fetch` with `Authorization: Token <key>`, so it is checked
 * exactly as a REST call (and a token revoked meanwhile stops working at once). Throws UNAUTHORIZED
 * up front when the token is unknown, expired or revoked.
 */
export async function connectTokenMcp(input: {
  app: ApiApp;
  services: Services;
  key: string;
  transport: Transport;
}): Promise<{ principal: Principal; close: () => Promise<void> }> {
  const principal = await input.services.auth.service.resolveApiToken(input.key);
  if (!principal) throw new AppError("UNAUTHORIZED", "The API token is unknown, expired or revoked");
  const server = createMcpServer({
    catalog: catalogOf(input.app),
    fetch: (request) => input.app.fetch(request),
    headers: { authorization: `Token ${input.key}` },
    version: input.services.version,
  });
  await server.connect(input.transport);
  return { principal, close: () => server.close() };
}
