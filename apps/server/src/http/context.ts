import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError } from "../lib/app-error.js";
import { hasRole, type MemberRole, type Principal } from "../modules/auth/principal.js";

export type AppEnv = { Variables: { principal?: Principal; requestId: string } };
export type ApiApp = OpenAPIHono<AppEnv>;

/** The authenticated caller; the auth middleware guarantees it on every non-public route. */
export function principalOf(c: Context<AppEnv>): Principal {
  const principal = c.get("principal");
  if (!principal) throw new AppError("UNAUTHORIZED", "Unauthorized");
  return principal;
}

/** The caller's principal, after checking its member role is at least `role` (403 otherwise). */
export function requireRole(c: Context<AppEnv>, role: MemberRole): Principal {
  const principal = principalOf(c);
  if (!hasRole(principal.role, role)) {
    throw new AppError("FORBIDDEN", `This action needs the ${role} member role or higher`);
  }
  return principal;
}
