import type { Hono } from "hono";
import type { SimContext, SimEnv } from "../context.js";
import { LsError, validationError } from "../errors.js";
import { readObject } from "../http.js";
import { signJwt, truncateJwt, verifyJwt } from "../jwt.js";
import type { PatRow } from "../state.js";
import { now } from "../util.js";

/** PATs live ~200 years; Community has no TTL setting (§1.1). */
const PAT_LIFETIME_SECONDS = 200 * 365 * 24 * 3600;

function activePat(ctx: SimContext, token: unknown): PatRow | null {
  if (typeof token !== "string") return null;
  const claims = verifyJwt(ctx.state.secretKey, token);
  if (claims?.token_type !== "refresh") return null;
  const row = ctx.state.pats.find((p) => p.jti === claims.jti);
  return row && !row.blacklisted ? row : null;
}

function issuePat(ctx: SimContext, userId: number): PatRow {
  const exp = Math.floor(Date.now() / 1000) + PAT_LIFETIME_SECONDS;
  const token = signJwt(ctx.state.secretKey, { token_type: "refresh", exp, user_id: userId });
  const jti = verifyJwt(ctx.state.secretKey, token)?.jti ?? "";
  const row: PatRow = {
    jti,
    user_id: userId,
    token,
    created_at: now(),
    expires_at: new Date(exp * 1000).toISOString(),
    blacklisted: false,
  };
  ctx.state.pats.push(row);
  ctx.save();
  return row;
}

/** Personal access tokens, JWT refresh and the organization token settings (§1.2). */
export function registerTokenRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  app.post("/api/token/", (c) => {
    const user = c.get("user");
    if (ctx.state.pats.some((p) => p.user_id === user.id && !p.blacklisted)) {
      throw new LsError(409, "You already have a valid token. Please revoke it before creating a new one.");
    }
    const row = issuePat(ctx, user.id);
    return c.json({ token: row.token, created_at: row.created_at, expires_at: row.expires_at }, 201);
  });

  app.get("/api/token/", (c) => {
    const user = c.get("user");
    const rows = ctx.state.pats.filter((p) => p.user_id === user.id && !p.blacklisted);
    return c.json(
      rows.map((p) => ({ token: truncateJwt(p.token), created_at: p.created_at, expires_at: p.expires_at })),
    );
  });

  app.post("/api/token/refresh/", async (c) => {
    const body = await readObject(c);
    const row = activePat(ctx, body.refresh);
    if (!row) throw new LsError(401, "Token is invalid or expired");
    const exp = Math.floor(Date.now() / 1000) + ctx.config.accessTokenTtlSeconds;
    return c.json({
      access: signJwt(ctx.state.secretKey, { token_type: "access", exp, user_id: row.user_id }),
    });
  });

  app.post("/api/token/rotate/", async (c) => {
    const body = await readObject(c);
    const row = activePat(ctx, body.refresh);
    if (!row) throw validationError({ refresh: ["Token is invalid or already blacklisted."] });
    row.blacklisted = true;
    return c.json({ refresh: issuePat(ctx, row.user_id).token });
  });

  app.post("/api/token/blacklist/", async (c) => {
    const body = await readObject(c);
    const row = activePat(ctx, body.refresh);
    if (!row) throw new LsError(404, "Token is invalid or already blacklisted.");
    row.blacklisted = true;
    ctx.save();
    return new Response(null, { status: 204 });
  });

  const settingsBody = () => {
    const org = ctx.state.organization;
    return {
      api_tokens_enabled: org?.api_tokens_enabled ?? true,
      legacy_api_tokens_enabled: org?.legacy_api_tokens_enabled ?? false,
      api_token_ttl_days: org?.api_token_ttl_days ?? 73000,
    };
  };
  app.get("/api/jwt/settings", (c) => c.json(settingsBody()));
  // Answers 200 although the OpenAPI says 201 (§1.2).
  app.post("/api/jwt/settings", async (c) => {
    const body = await readObject(c);
    const org = ctx.state.organization;
    if (!org) throw new LsError(404, "Not found.");
    for (const key of ["api_tokens_enabled", "legacy_api_tokens_enabled"] as const) {
      if (key in body) {
        if (typeof body[key] !== "boolean") throw validationError({ [key]: ["Must be a valid boolean."] });
        org[key] = body[key];
      }
    }
    if (typeof body.api_token_ttl_days === "number") org.api_token_ttl_days = body.api_token_ttl_days;
    ctx.save();
    return c.json(settingsBody());
  });
}
