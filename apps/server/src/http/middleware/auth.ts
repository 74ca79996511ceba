import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { AppError } from "../../lib/app-error.js";
import type { AuthService } from "../../modules/auth/auth.service.js";
import { SESSION_COOKIE } from "../../modules/auth/session-token.js";
import type { AppEnv } from "../context.js";

/** Routes reachable without a session: they authenticate themselves (webhook secret) or are public. */
const PUBLIC_ROUTES: RegExp[] = [
  /^\/api\/health$/,
  /^\/api\/version$/,
  /^\/api\/webhook$/,
  /^\/api\/annotators\/\d+\/token$/,
  /^\/api\/auth\/(csrf|callback\/credentials|session|signout|providers)$/,
  /^\/api\/openapi\.json$/,
  /^\/api\/docs$/,
  /^\/api\/traefik\/config$/,
  // Signed URLs of the local object storage: the signature authenticates (storage.routes.ts).
  /^\/api\/storage\/files\/.+$/,
];

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Resolves the caller from `Authorization: Token|Bearer <key>` or the session cookie. Everything
 * under /api but the public routes answers 401 without one; viewers may only read (403).
 */
export function authMiddleware(auth: AuthService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    const match = header ? /^(?:Token|Bearer)\s+(\S+)$/i.exec(header) : null;
    if (match?.[1]) {
      const principal = await auth.resolveApiToken(match[1]);
      if (principal) c.set("principal", principal);
    } else {
      const cookie = getCookie(c, SESSION_COOKIE) ?? getCookie(c, `__Secure-${SESSION_COOKIE}`);
      const principal = cookie ? await auth.resolveSession(cookie) : null;
      if (principal) c.set("principal", principal);
    }
    const isPublic = PUBLIC_ROUTES.some((pattern) => pattern.test(c.req.path));
    const principal = c.get("principal");
    if (!isPublic && c.req.path.startsWith("/api/")) {
      if (!principal) throw new AppError("UNAUTHORIZED", "Unauthorized");
      if (
        principal.role === "viewer" &&
        !SAFE_METHODS.has(c.req.method) &&
        !c.req.path.startsWith("/api/auth/")
      ) {
        throw new AppError("FORBIDDEN", "Viewers have read-only access");
      }
    }
    await next();
  };
}
