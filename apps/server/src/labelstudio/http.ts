import { type Credentials, createCredentials } from "./credentials.js";
import { LabelStudioError, type LabelStudioErrorCode } from "./errors.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type QueryValue = string | number | boolean | undefined | null | Array<string | number>;

/** One call to LS, spelled exactly as the contract lists it (trailing slashes matter, §0.1). */
export interface RequestSpec {
  /** Logical name used in errors, e.g. `projects.create`. */
  operation: string;
  method: HttpMethod;
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Retry on timeouts, network errors and 5xx/429. Defaults to GET/PUT/DELETE only. */
  idempotent?: boolean;
  /** Send credentials (default true). */
  auth?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface TransportOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  fetch: typeof fetch;
}

/** Sends requests with timeouts, bounded retries for idempotent calls, and LS-aware errors. */
export interface Transport {
  readonly baseUrl: string;
  readonly credentials: Credentials;
  send(spec: RequestSpec): Promise<HttpResponse>;
}

const RETRYABLE_METHODS: ReadonlySet<HttpMethod> = new Set(["GET", "PUT", "DELETE"]);

function buildUrl(baseUrl: string, path: string, query: RequestSpec["query"]): string {
  const url = new URL(baseUrl.replace(/\/+$/, "") + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
    else url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/** Parses JSON when possible: `/health` is JSON served as text/html, unknown paths are HTML (§1.4, §10.2). */
function parseBody(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function backoff(attempt: number, baseMs: number, retryAfter: string | null): number {
  const seconds = retryAfter !== null ? Number(retryAfter) : Number.NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 10_000);
  // Exponential backoff with jitter, so that a fleet of workers does not retry in lockstep.
  const ceiling = baseMs * 2 ** attempt;
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Creates the transport of one LS instance. */
export function createTransport(opts: TransportOptions): Transport {
  const baseUrl = opts.baseUrl.replace(/\/+$/, "");

  const fail = (
    spec: RequestSpec,
    code: LabelStudioErrorCode,
    status: number | null,
    body: unknown,
    attempts: number,
    cause?: unknown,
  ) =>
    new LabelStudioError({
      instance: baseUrl,
      operation: spec.operation,
      method: spec.method,
      path: spec.path,
      code,
      status,
      body,
      attempts,
      cause,
    });

  const credentials = createCredentials(opts.token, async (pat) => {
    const res = await send({
      operation: "token.refresh",
      method: "POST",
      path: "/api/token/refresh/",
      body: { refresh: pat },
      auth: false,
      idempotent: true,
    });
    const access = (res.body as { access?: unknown } | null)?.access;
    if (typeof access !== "string")
      throw fail(
        { operation: "token.refresh", method: "POST", path: "/api/token/refresh/" },
        "invalid_response",
        res.status,
        res.body,
        1,
      );
    return access;
  });

  async function send(spec: RequestSpec): Promise<HttpResponse> {
    const url = buildUrl(baseUrl, spec.path, spec.query);
    const idempotent = spec.idempotent ?? RETRYABLE_METHODS.has(spec.method);
    const retries = idempotent ? opts.retries : 0;
    let reauthenticated = false;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { Accept: "application/json" };
      if (spec.body !== undefined) headers["Content-Type"] = "application/json";
      if (spec.auth !== false) headers.Authorization = await credentials.authorization();
      const timeout = AbortSignal.timeout(opts.timeoutMs);
      const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
      let res: Response;
      let text: string;
      try {
        res = await opts.fetch(url, {
          method: spec.method,
          headers,
          body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
          signal,
        });
        text = await res.text();
      } catch (err) {
        if (spec.signal?.aborted) throw fail(spec, "aborted", null, null, attempt + 1, err);
        const code = timeout.aborted ? "timeout" : "network";
        if (attempt < retries) {
          await sleep(backoff(attempt, opts.retryDelayMs, null), spec.signal);
          continue;
        }
        throw fail(spec, code, null, null, attempt + 1, err);
      }
      const body = parseBody(text);
      if (res.ok) return { status: res.status, body, headers: res.headers };
      // A PAT's access token may have expired early or been revoked: refresh once and replay.
      if (res.status === 401 && credentials.mode === "pat" && spec.auth !== false && !reauthenticated) {
        reauthenticated = true;
        credentials.invalidate();
        attempt--;
        continue;
      }
      // A retried DELETE that finds nothing: the earlier attempt did delete it.
      if (spec.method === "DELETE" && res.status === 404 && attempt > 0)
        return { status: 204, body: null, headers: res.headers };
      if ((res.status >= 500 || res.status === 429) && attempt < retries) {
        await sleep(backoff(attempt, opts.retryDelayMs, res.headers.get("retry-after")), spec.signal);
        continue;
      }
      throw fail(spec, "http", res.status, body, attempt + 1);
    }
  }

  return { baseUrl, credentials, send };
}
