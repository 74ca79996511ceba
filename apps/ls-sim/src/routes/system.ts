import type { Hono } from "hono";
import type { SimContext, SimEnv } from "../context.js";
import { notFound } from "../errors.js";
import type { UserRow } from "../state.js";
import { parseId, randomHex } from "../util.js";

/** The `whoami` / users representation (§9); never includes password or token. */
export function userApi(user: UserRow): Record<string, unknown> {
  return {
    id: user.id,
    first_name: user.first_name,
    last_name: user.last_name,
    username: user.username,
    email: user.email,
    last_activity: user.last_activity,
    avatar: null,
    initials: user.email.slice(0, 2),
    phone: "",
    active_organization: user.active_organization,
    allow_newsletters: null,
    date_joined: user.date_joined,
  };
}

/** The `/api/version/` body (§1.4). */
export function versionBody(release: string): Record<string, unknown> {
  const component = { message: "", commit: "ls-sim", date: "", branch: "", version: release };
  return {
    release,
    "label-studio-os-package": {
      version: release,
      short_version: release.split(".").slice(0, 2).join("."),
      latest_version_from_pypi: null,
      latest_version_upload_time: null,
      current_version_is_outdated: false,
    },
    "label-studio-os-backend": component,
    "label-studio-frontend": component,
    dm2: component,
    "label-studio-converter": { version: release },
    lsf: component,
    backend: component,
    edition: "Community",
    simulator: "ls-sim",
  };
}

/** Health, version, current user, users, organizations, legacy token endpoints. */
export function registerSystemRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  // Django's view answers with the default text/html content type although the body is JSON (§1.4).
  app.get(
    "/health/",
    () => new Response('{"status": "UP"}', { headers: { "content-type": "text/html; charset=utf-8" } }),
  );
  app.get("/metrics/", () => new Response("", { status: 200 }));
  app.get("/api/version/", (c) => c.json(versionBody(ctx.config.release)));

  app.get("/api/current-user/whoami", (c) => c.json(userApi(c.get("user"))));
  // No trailing slash on this route; the code returns `token`, not the documented `detail` (§1.2).
  app.get("/api/current-user/token", (c) => c.json({ token: c.get("user").token }));
  app.post("/api/current-user/reset-token/", (c) => {
    const user = c.get("user");
    user.token = randomHex(20);
    ctx.save();
    return c.json({ token: user.token }, 201);
  });

  app.get("/api/users/", (c) => c.json(ctx.state.users.map(userApi)));
  app.get("/api/users/:id/", (c) => {
    const user = ctx.state.users.find((u) => u.id === parseId(c.req.param("id")));
    if (!user) throw notFound();
    return c.json(userApi(user));
  });

  app.get("/api/organizations/", (c) => {
    const org = ctx.state.organization;
    return c.json(
      org ? [{ id: org.id, title: org.title, contact_info: "", created_at: org.created_at }] : [],
    );
  });
  app.get("/api/invite", (c) => {
    const token = ctx.state.organization?.invite_token ?? "";
    return c.json({ invite_url: `/user/signup?token=${token}`, token });
  });
}
