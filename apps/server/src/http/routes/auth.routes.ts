import { getConnInfo } from "@hono/node-server/conninfo";
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { AppError } from "../../lib/app-error.js";
import { CSRF_COOKIE, SESSION_COOKIE } from "../../modules/auth/session-token.js";
import type { Services } from "../../services.js";
import { type ApiApp, type AppEnv, principalOf } from "../context.js";
import { defineRoute, errors, json, jsonBody, SuccessBody } from "../openapi.js";

const Credentials = z.object({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(1000),
  csrfToken: z.string().max(500).optional(),
  callbackUrl: z.string().max(2000).optional(),
});

const SessionBody = z
  .object({
    user: z.object({ id: z.number(), email: z.string() }).optional(),
    organization: z
      .object({ id: z.number(), name: z.string(), slug: z.string(), role: z.string() })
      .optional(),
    organizations: z
      .array(z.object({ id: z.number(), name: z.string(), slug: z.string(), role: z.string() }))
      .optional(),
    expires: z.string().optional(),
  })
  .openapi("Session");

const tags = ["Auth"];

const csrfRoute = defineRoute({
  method: "get",
  path: "/api/auth/csrf",
  operationId: "getCsrfToken",
  summary: "Get a CSRF token for the credentials sign-in",
  tags,
  responses: { 200: json(z.object({ csrfToken: z.string() }), "A CSRF token, valid for one hour") },
});

const signInRoute = defineRoute({
  method: "post",
  path: "/api/auth/callback/credentials",
  operationId: "signInWithCredentials",
  summary: "Sign in with email and password; sets the session cookie",
  tags,
  request: {
    body: {
      content: {
        "application/x-www-form-urlencoded": { schema: Credentials },
        "application/json": { schema: Credentials },
      },
      // Not `required`: each content type is then validated only when the request uses it.
      required: false,
    },
  },
  responses: {
    200: json(z.object({ url: z.string() }), "Signed in (with X-Auth-Return-Redirect: 1)"),
    302: { description: "Signed in; redirects to callbackUrl" },
    ...errors(429),
  },
});

const sessionRoute = defineRoute({
  method: "get",
  path: "/api/auth/session",
  operationId: "getSession",
  summary: "The current session ({} when signed out)",
  tags,
  responses: { 200: json(SessionBody, "The session") },
});

const signOutRoute = defineRoute({
  method: "post",
  path: "/api/auth/signout",
  operationId: "signOut",
  summary: "Sign out: revokes every session of the member",
  tags,
  responses: { 200: json(SuccessBody, "Signed out"), ...errors() },
});

const passwordRoute = defineRoute({
  method: "post",
  path: "/api/auth/password",
  operationId: "changePassword",
  summary: "Change the password; revokes every other session",
  tags,
  request: jsonBody(
    z.object({ currentPassword: z.string().min(1), newPassword: z.string().min(8).max(1000) }),
  ),
  responses: { 200: json(SuccessBody, "Password changed"), ...errors() },
});

const organizationRoute = defineRoute({
  method: "post",
  path: "/api/auth/organization",
  operationId: "switchOrganization",
  summary: "Make another organization of the member the session's active one",
  tags,
  request: jsonBody(z.object({ organizationId: z.number().int().positive() })),
  responses: { 200: json(SuccessBody, "Switched"), ...errors(404) },
});

export function registerAuthRoutes(app: ApiApp, { auth, config }: Services) {
  const setSession = (c: Context<AppEnv>, token: string) =>
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "Lax",
      path: "/",
      secure: config.auth.secureCookies,
      maxAge: auth.tokens.maxAgeSeconds,
    });

  app.openapi(csrfRoute, (c) => {
    const csrfToken = auth.tokens.issueCsrf();
    setCookie(c, CSRF_COOKIE, csrfToken, {
      httpOnly: true,
      sameSite: "Lax",
      path: "/",
      secure: config.auth.secureCookies,
    });
    return c.json({ csrfToken }, 200);
  });

  app.openapi(signInRoute, async (c) => {
    const isJson = (c.req.header("content-type") ?? "").includes("application/json");
    const body = (isJson ? c.req.valid("json") : c.req.valid("form")) as
      | z.infer<typeof Credentials>
      | undefined;
    if (!body?.email) {
      throw new AppError("BAD_REQUEST", "Send email, password and csrfToken as a form or JSON body");
    }
    const csrf = body.csrfToken ?? getCookie(c, CSRF_COOKIE);
    if (!auth.tokens.checkCsrf(csrf)) {
      throw new AppError("BAD_REQUEST", "Missing or invalid csrfToken: get one from GET /api/auth/csrf");
    }
    const session = await auth.service.signIn({
      email: body.email,
      password: body.password,
      clientAddress: clientAddress(c, config.auth.trustProxy),
    });
    setSession(c, session.token);
    const url = safeCallback(body.callbackUrl);
    if (c.req.header("x-auth-return-redirect") === "1" || isJson) return c.json({ url }, 200);
    return c.redirect(url, 302);
  });

  app.openapi(sessionRoute, async (c) => {
    const principal = c.get("principal");
    if (!principal || principal.via !== "session") return c.json({}, 200);
    const organizations = await auth.service.listOrganizations(principal.memberId);
    const organization = organizations.find((o) => o.id === principal.organizationId);
    const expires = "expiresAt" in principal ? (principal.expiresAt as Date).toISOString() : undefined;
    return c.json(
      { user: { id: principal.memberId, email: principal.email }, organization, organizations, expires },
      200,
    );
  });

  app.openapi(signOutRoute, async (c) => {
    const principal = c.get("principal");
    if (principal?.via === "session") await auth.service.signOut(principal.memberId);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ success: true as const }, 200);
  });

  app.openapi(passwordRoute, async (c) => {
    const { currentPassword, newPassword } = c.req.valid("json");
    const { token } = await auth.service.changePassword(principalOf(c), currentPassword, newPassword);
    setSession(c, token);
    return c.json({ success: true as const }, 200);
  });

  app.openapi(organizationRoute, async (c) => {
    const principal = principalOf(c);
    if (principal.via !== "session")
      throw new AppError("BAD_REQUEST", "API tokens are bound to one organization");
    const { token } = await auth.service.switchOrganization(principal, c.req.valid("json").organizationId);
    setSession(c, token);
    return c.json({ success: true as const }, 200);
  });
}

/** Only same-site paths: an absolute callbackUrl would make sign-in an open redirect. */
function safeCallback(url: string | undefined): string {
  return url?.startsWith("/") && !url.startsWith("//") ? url : "/";
}

function clientAddress(c: Context<AppEnv>, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // in-process requests (tests) have no socket
  }
}
