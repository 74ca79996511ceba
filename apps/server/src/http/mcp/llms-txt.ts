import type { ToolDefinition } from "./tool-catalog.js";

export interface LlmsTxtOptions {
  version: string;
  /** PUBLIC_URL, when set: the index then gives absolute URLs. */
  publicUrl?: string | undefined;
}

/**
 * `GET /llms.txt`: a plain index of the API for agents (llmstxt.org layout), generated from the same
 * catalog as the MCP tools: a header on how to authenticate, then one line per operation under its
 * first tag: method, path, summary and the MCP tool name.
 */
export function renderLlmsTxt(tools: ToolDefinition[], options: LlmsTxtOptions): string {
  const base = options.publicUrl?.replace(/\/+$/, "") ?? "";
  const groups = new Map<string, ToolDefinition[]>();
  for (const tool of tools) {
    const tag = tool.operation.tags[0] ?? "Other";
    groups.set(tag, [...(groups.get(tag) ?? []), tool]);
  }
  const lines = [
    "# LabelFleet API",
    "",
    `> Control plane for annotation workforces on Label Studio Community (version ${options.version}).`,
    `> ${tools.length} operations; every one is also an MCP tool.`,
    "",
    "Authentication: send `Authorization: Token <key>` (or `Bearer <key>`) on every request except the",
    "public ones (health, version, sign-in, this index, the OpenAPI document). Create a key with",
    "`POST /api/tokens` (signed in) or `labelfleet token create --email <member>`; a token acts with",
    "its member role (viewers may only read). Errors are JSON `{ error, details? }`; lists take",
    "`limit`/`offset` and return the total in `X-Total-Count`.",
    "",
    `- OpenAPI 3.1 document: ${base}/api/openapi.json`,
    `- MCP (streamable HTTP, same Authorization header): ${base}/mcp`,
    "- MCP over stdio: `labelfleet mcp --token <key>` (or LABELFLEET_TOKEN)",
    "",
  ];
  for (const [tag, group] of groups) {
    lines.push(`## ${tag}`, "");
    for (const { name, operation } of group) {
      lines.push(
        `- ${operation.method.toUpperCase()} ${base}${operation.path}: ${operation.summary} (tool: ${name})`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}
