import type { ToolDefinition } from "./tool-catalog.js";

/** What a tool call answers, in the shape of MCP's CallToolResult. */
export interface ToolResult {
  [key: string]: unknown;
  content: { type: "text"; text: string }[];
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

/** A tool call that cannot become a request (bad argument shape): answered as a tool error. */
export class ToolArgumentError extends Error {
  override readonly name = "ToolArgumentError";
}

const scalar = (value: unknown): string =>
  typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);

/**
 * Builds the REST request a tool call stands for, so it runs through the route's own validation,
 * authorization and handler: path parameters substituted, query parameters in the query string, the
 * rest as the JSON body.
 */
export function toRequest(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  options: { baseUrl: string; headers: Record<string, string> },
): Request {
  const { operation } = tool;
  const rest: Record<string, unknown> = { ...args };
  let path = operation.path;
  for (const name of operation.pathParams) {
    const value = rest[name];
    delete rest[name];
    if (value === undefined || value === null || value === "") {
      throw new ToolArgumentError(`Missing required argument: ${name}`);
    }
    path = path.replace(`{${name}}`, encodeURIComponent(scalar(value)));
  }
  const query = new URLSearchParams();
  for (const name of operation.queryParams) {
    const value = rest[name];
    delete rest[name];
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) query.append(name, scalar(item));
  }

  let body: string | undefined;
  if (operation.body.mode === "merged") {
    // Unknown keys go to the body too: the route's schema decides what it accepts.
    if (Object.keys(rest).length > 0 || operation.body.required) body = JSON.stringify(rest);
  } else {
    const { body: nested, ...unknown } = rest;
    const extra = Object.keys(unknown);
    if (extra.length > 0) throw new ToolArgumentError(`Unknown argument(s): ${extra.join(", ")}`);
    if (operation.body.mode === "nested" && nested !== undefined) body = JSON.stringify(nested);
    else if (nested !== undefined) throw new ToolArgumentError("Unknown argument(s): body");
  }

  const search = query.toString();
  const url = new URL(`${path}${search ? `?${search}` : ""}`, options.baseUrl);
  const headers = new Headers(options.headers);
  headers.set("accept", "application/json");
  if (body !== undefined) headers.set("content-type", "application/json");
  return new Request(url, { method: operation.method.toUpperCase(), headers, body: body ?? null });
}

/**
 * Maps the REST answer to a tool result: the JSON body as text on success; on 4xx/5xx an MCP tool
 * error whose text starts with the API's `error` message, followed by the whole error body (details,
 * and extra fields such as an FSM conflict's `allowed_transitions`).
 */
export async function toToolResult(response: Response): Promise<ToolResult> {
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  const meta: Record<string, unknown> = { "labelfleet/status": response.status };
  const total = response.headers.get("x-total-count");
  if (total !== null) meta["labelfleet/totalCount"] = Number(total);

  if (response.status >= 400) {
    const message =
      parsed && typeof parsed === "object" && typeof (parsed as { error?: unknown }).error === "string"
        ? (parsed as { error: string }).error
        : response.statusText || "Request failed";
    const detail = typeof parsed === "string" ? parsed : JSON.stringify(parsed);
    return {
      isError: true,
      content: [{ type: "text", text: `${message} (HTTP ${response.status})\n${detail}` }],
      _meta: meta,
    };
  }
  const location = response.headers.get("location");
  const body = typeof parsed === "string" ? parsed : JSON.stringify(parsed);
  return {
    content: [{ type: "text", text: body || (location ? `Redirect to ${location}` : "OK") }],
    _meta: meta,
  };
}

/** A tool error for a call that never reached the API (unknown tool, bad argument shape). */
export const toolError = (message: string): ToolResult => ({
  isError: true,
  content: [{ type: "text", text: message }],
});
