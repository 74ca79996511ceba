import { createCaller } from "./call.js";
import { createTransport } from "./http.js";
import { projectsApi } from "./projects-api.js";
import { tasksApi } from "./tasks-api.js";
import { LsHealth, LsJwtSettings, LsPersonalAccessToken, LsUser, LsVersion } from "./types.js";
import { webhooksApi } from "./webhooks-api.js";

export type { AnnotationInput, TaskListOptions } from "./tasks-api.js";

export interface LabelStudioClientOptions {
  /** Instance root, e.g. `https://ann-42.example.com` (no `/api`). */
  baseUrl: string;
  /** Legacy token (sent as `Token`) or a personal access token (JWT, exchanged for `Bearer`), §1.1. */
  token: string;
  /** Per-attempt timeout. Default 10 s. */
  timeoutMs?: number;
  /** Extra attempts for idempotent calls (GET/PUT/DELETE). Default 2. */
  retries?: number;
  /** First backoff delay; doubles per attempt, with jitter. Default 200 ms. */
  retryDelayMs?: number;
  /** Polling of Enterprise-style asynchronous imports. Defaults 500 ms / 120 s. */
  importPollIntervalMs?: number;
  importPollTimeoutMs?: number;
  fetch?: typeof fetch;
}

export type LabelStudioClient = ReturnType<typeof createLabelStudioClient>;

/**
 * Creates a typed client for one Label Studio Community instance, following
 * `reference/label-studio-contract.md`: exact path spellings, every list shape, both import answers,
 * both auth modes. Idempotent calls are retried with backoff; POSTs that create things never are.
 * Errors are `LabelStudioError`s naming the instance and the operation.
 */
export function createLabelStudioClient(options: LabelStudioClientOptions) {
  const http = createTransport({
    baseUrl: options.baseUrl,
    token: options.token,
    timeoutMs: options.timeoutMs ?? 10_000,
    retries: options.retries ?? 2,
    retryDelayMs: options.retryDelayMs ?? 200,
    fetch: options.fetch ?? globalThis.fetch,
  });
  const caller = createCaller(http);
  const { call, parsed } = caller;
  const polling = {
    intervalMs: options.importPollIntervalMs ?? 500,
    timeoutMs: options.importPollTimeoutMs ?? 120_000,
  };

  return {
    baseUrl: http.baseUrl,
    /** `legacy` (Token) or `pat` (JWT refresh → Bearer), detected from the token. */
    authMode: http.credentials.mode,

    /** `GET /health` → `{status: "UP"}` (served as text/html; the body is parsed anyway, §1.4). */
    health: () =>
      call({ operation: "health", method: "GET", path: "/health", auth: false }, parsed(LsHealth, "health")),
    /** `GET /api/version/`; `release` tells which LS version to expect (§10.3). */
    version: () =>
      call(
        { operation: "version", method: "GET", path: "/api/version/", auth: false },
        parsed(LsVersion, "version"),
      ),
    /** `GET /api/current-user/whoami`; also the cheapest authenticated readiness check (§9). */
    currentUser: () =>
      call(
        { operation: "users.whoami", method: "GET", path: "/api/current-user/whoami" },
        parsed(LsUser, "user"),
      ),

    /** `POST /api/token/` → the user's PAT, shown once (409 if one exists, §1.2). Not retried. */
    createPersonalAccessToken: () =>
      call(
        { operation: "token.create", method: "POST", path: "/api/token/" },
        parsed(LsPersonalAccessToken, "token"),
      ),
    /** `GET /api/jwt/settings` (no trailing slash). */
    getJwtSettings: () =>
      call(
        { operation: "jwt.settings.get", method: "GET", path: "/api/jwt/settings" },
        parsed(LsJwtSettings, "jwt settings"),
      ),
    /** `POST /api/jwt/settings` (answers 200, not the documented 201). Retried: it only sets values. */
    updateJwtSettings: (patch: Partial<LsJwtSettings>) =>
      call(
        {
          operation: "jwt.settings.update",
          method: "POST",
          path: "/api/jwt/settings",
          body: patch,
          idempotent: true,
        },
        parsed(LsJwtSettings, "jwt settings"),
      ),

    ...projectsApi(caller, polling),
    ...tasksApi(caller),
    ...webhooksApi(caller),
  };
}
