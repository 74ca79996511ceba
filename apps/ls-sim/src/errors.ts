import { randomUUID } from "node:crypto";

/** Version string reported in error envelopes; set once at startup. */
let appVersion = "1.22.0";

/** Sets the `version` value used in error envelopes (§10.2). */
export function setErrorVersion(version: string): void {
  appVersion = version;
}

/**
 * An error that the simulator answers with LS's envelope (contract §10.2).
 * `validationErrors` switches the body to the "Validation error" form.
 */
export class LsError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly validationErrors?: Record<string, unknown>,
  ) {
    super(detail);
  }
}

/** 400 with `validation_errors`, the way DRF field validation is wrapped. */
export function validationError(errors: Record<string, unknown>): LsError {
  return new LsError(400, "Validation error", errors);
}

/** DRF's 404 for a missing object on an existing route. */
export function notFound(): LsError {
  return new LsError(404, "Not found.");
}

/** Builds the JSON envelope body of contract §10.2. */
export function envelope(
  status: number,
  detail: string,
  validationErrors?: Record<string, unknown>,
  excInfo: string | null = null,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: randomUUID(),
    status_code: status,
    version: appVersion,
    detail,
    exc_info: excInfo,
  };
  if (validationErrors) body.validation_errors = validationErrors;
  return body;
}

/** Converts any thrown value into the LS error response. Unknown errors become 500 with a traceback. */
export function errorResponse(err: unknown): Response {
  if (err instanceof LsError) {
    return Response.json(envelope(err.status, err.detail, err.validationErrors), { status: err.status });
  }
  const text = err instanceof Error ? err.message : String(err);
  const stack = err instanceof Error ? (err.stack ?? text) : text;
  return Response.json(envelope(500, text, undefined, stack), { status: 500 });
}

/** Django's plain HTML 404 for a path that no route matches (not JSON, as in LS). */
export function htmlNotFound(path: string): Response {
  const html = `<!doctype html><html lang="en"><head><title>Not Found</title></head><body><h1>Not Found</h1><p>The requested resource ${escapeHtml(path)} was not found on this server.</p></body></html>`;
  return new Response(html, { status: 404, headers: { "content-type": "text/html; charset=utf-8" } });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
