import type { MiddlewareHandler } from "hono";
import type { SimContext, SimEnv } from "./context.js";
import { envelope } from "./errors.js";
import { verifyJwt } from "./jwt.js";
import type { UserRow } from "./state.js";
import { now } from "./util.js";

/** Routes that LS serves without authentication. */
const PUBLIC_PATHS = new Set(["/api/version/", "/api/token/refresh/", "/api/webhooks/info/"]);

const LEGACY_DISABLED =
  "Authentication token no longer valid: legacy token authentication has been disabled for this organization";

function unauthorized(detail: string, scheme: string): Response {
  return Response.json(envelope(401, detail), { status: 401, headers: { "WWW-Authenticate": scheme } });
}

type AuthResult = { user: UserRow } | { error: Response };

/** `Authorization: Token <key>` (§1.1): valid key AND `legacy_api_tokens_enabled`. */
function legacyAuth(ctx: SimContext, key: string): AuthResult {
  const user = ctx.state.users.find((u) => u.token === key);
  if (!user) return { error: unauthorized("Invalid token.", "Token") };
  if (!ctx.state.organization?.legacy_api_tokens_enabled)
    return { error: unauthorized(LEGACY_DISABLED, "Token") };
  return { user };
}

/** `Authorization: Bearer <access JWT>`; a PAT (refresh token) is refused here (§1.1). */
function bearerAuth(ctx: SimContext, token: string): AuthResult {
  const claims = verifyJwt(ctx.state.secretKey, token);
  if (claims?.token_type !== "access" || !ctx.state.organization?.api_tokens_enabled) {
    return { error: unauthorized("Given token not valid for any token type", 'Bearer realm="api"') };
  }
  const user = ctx.state.users.find((u) => u.id === claims.user_id);
  if (!user) return { error: unauthorized("User not found", 'Bearer realm="api"') };
  return { user };
}

function looksLikeJwt(value: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(value);
}

/** Resolves the caller of a request, or the 401 LS would answer. */
export function authenticate(ctx: SimContext, headers: Headers): AuthResult {
  const apiKey = headers.get("x-api-key");
  // XApiKeySupportMiddleware rewrites X-Api-Key into a Token header; newer builds accept a JWT there too.
  const authorization =
    headers.get("authorization") ??
    (apiKey ? `${looksLikeJwt(apiKey) ? "Bearer" : "Token"} ${apiKey}` : null);
  if (!authorization)
    return { error: unauthorized("Authentication credentials were not provided.", "Token") };
  const [scheme, value, extra] = authorization.trim().split(/\s+/);
  if (!value || extra !== undefined) return { error: unauthorized("Invalid token header.", "Token") };
  if (scheme?.toLowerCase() === "token") return legacyAuth(ctx, value);
  if (scheme?.toLowerCase() === "bearer") return bearerAuth(ctx, value);
  return { error: unauthorized("Authentication credentials were not provided.", "Token") };
}

/** Hono middleware for `/api/*`: public paths pass, others need a credential. */
export function authMiddleware(ctx: SimContext): MiddlewareHandler<SimEnv> {
  return async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path)) return next();
    const result = authenticate(ctx, c.req.raw.headers);
    if ("error" in result) return result.error;
    c.set("user", result.user);
    result.user.last_activity = now();
    await next();
  };
}
