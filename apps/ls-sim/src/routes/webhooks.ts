import type { Context, Hono } from "hono";
import type { SimContext, SimEnv } from "../context.js";
import { notFound, validationError } from "../errors.js";
import { noContent, readObject } from "../http.js";
import { nextId, type WebhookRow } from "../state.js";
import { isRecord, now, parseId } from "../util.js";
import { ORGANIZATION_ONLY_ACTIONS, WEBHOOK_ACTIONS } from "../webhooks.js";

const HEADER_KEY = /^[a-zA-Z0-9-_]+$/;

/**
 * Django's URLValidator, simplified: http(s)/ftp(s), and a host that is `localhost`, an IP literal or a
 * dotted domain with a TLD. A single-label service name (`http://labelfleet:3000`) is rejected (§6.1).
 */
export function isDjangoUrl(value: string): boolean {
  if (value.length > 2048) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (!["http:", "https:", "ftp:", "ftps:"].includes(url.protocol)) return false;
  const host = url.hostname;
  if (host === "localhost" || /^\[[0-9a-f:.]+\]$/i.test(host)) return true;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host.split(".").every((p) => Number(p) <= 255);
  return /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/i.test(host);
}

function webhookApi(h: WebhookRow): Record<string, unknown> {
  return { ...h };
}

/** Validates webhook fields; `project` (fixed after creation) decides which actions are allowed. */
function clean(body: Record<string, unknown>, project: number | null): Partial<WebhookRow> {
  const errors: Record<string, string[]> = {};
  const out: Partial<WebhookRow> = {};
  if ("url" in body) {
    if (typeof body.url !== "string" || !isDjangoUrl(body.url)) errors.url = ["Enter a valid URL."];
    else out.url = body.url;
  }
  for (const key of ["send_payload", "send_for_all_actions", "is_active"] as const) {
    if (key in body && typeof body[key] !== "boolean") errors[key] = ["Must be a valid boolean."];
    else if (key in body) out[key] = body[key] as boolean;
  }
  if ("headers" in body) {
    const h = body.headers;
    const ok =
      isRecord(h) &&
      Object.keys(h).length <= 10 &&
      Object.entries(h).every(([k, v]) => HEADER_KEY.test(k) && typeof v === "string");
    if (!ok)
      errors.headers = [
        "Headers must be an object of at most 10 string values with keys matching ^[a-zA-Z0-9-_]+$",
      ];
    else out.headers = h as Record<string, string>;
  }
  // The update path replaces the action set with what was sent: omitted actions become [] (§6.1 trap).
  const actions = body.actions ?? [];
  if (!Array.isArray(actions)) errors.actions = ['Expected a list of items but got type "dict".'];
  else {
    const bad = actions.filter((a) => !(WEBHOOK_ACTIONS as readonly unknown[]).includes(a));
    if (bad.length > 0) errors.actions = bad.map((a) => `"${String(a)}" is not a valid choice.`);
    else if (project !== null && actions.some((a) => ORGANIZATION_ONLY_ACTIONS.has(a as string))) {
      errors.actions = ["Project-level webhooks cannot subscribe to organization-only actions."];
    } else out.actions = [...new Set(actions as string[])];
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
  return out;
}

function getWebhook(ctx: SimContext, raw: string | undefined): WebhookRow {
  const hook = ctx.state.webhooks.find((h) => h.id === parseId(raw));
  if (!hook) throw notFound();
  return hook;
}

/** Webhook CRUD and info (§6.1). */
export function registerWebhookRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  app.get("/api/webhooks/", (c) => {
    const project = c.req.query("project");
    let rows = ctx.state.webhooks;
    if (project === "isnull") rows = rows.filter((h) => h.project === null);
    else if (project !== undefined) rows = rows.filter((h) => h.project === parseId(project));
    return c.json(rows.map(webhookApi));
  });

  app.post("/api/webhooks/", async (c) => {
    const body = await readObject(c);
    const errors: Record<string, string[]> = {};
    let project: number | null = null;
    if (body.project !== undefined && body.project !== null) {
      project = typeof body.project === "number" ? body.project : parseId(String(body.project));
      if (!ctx.state.projects.some((p) => p.id === project))
        errors.project = [`Invalid pk "${String(body.project)}" - object does not exist.`];
    }
    if (typeof body.url !== "string") errors.url = ["This field is required."];
    if (Object.keys(errors).length > 0) throw validationError(errors);
    const fields = clean(body, project);
    const stamp = now();
    const hook: WebhookRow = {
      id: nextId(ctx.state, "webhook"),
      organization: ctx.state.organization?.id ?? 1,
      project,
      url: fields.url ?? "",
      send_payload: fields.send_payload ?? true,
      send_for_all_actions: fields.send_for_all_actions ?? true,
      headers: fields.headers ?? {},
      is_active: fields.is_active ?? true,
      actions: fields.actions ?? [],
      created_at: stamp,
      updated_at: stamp,
    };
    ctx.state.webhooks.push(hook);
    ctx.save();
    return c.json(webhookApi(hook), 201);
  });

  app.get("/api/webhooks/info/", (c) => {
    const orgOnly = c.req.query("organization-only");
    const info: Record<string, unknown> = {};
    for (const action of WEBHOOK_ACTIONS) {
      const isOrgOnly = ORGANIZATION_ONLY_ACTIONS.has(action);
      if (orgOnly === "true" && !isOrgOnly) continue;
      if (orgOnly === "false" && isOrgOnly) continue;
      const name = action.toLowerCase().replace(/_/g, " ");
      info[action] = { name, description: `Fires on ${name}`, key: action, "organization-only": isOrgOnly };
    }
    return c.json(info);
  });

  app.get("/api/webhooks/:id/", (c) => c.json(webhookApi(getWebhook(ctx, c.req.param("id")))));

  const update = async (c: Context<SimEnv>) => {
    const hook = getWebhook(ctx, c.req.param("id"));
    // `project` is read-only after creation and silently ignored.
    const fields = clean(await readObject(c), hook.project);
    Object.assign(hook, fields, { updated_at: now() });
    ctx.save();
    return c.json(webhookApi(hook));
  };
  app.patch("/api/webhooks/:id/", update);
  app.put("/api/webhooks/:id/", update);

  app.delete("/api/webhooks/:id/", (c) => {
    const hook = getWebhook(ctx, c.req.param("id"));
    ctx.state.webhooks = ctx.state.webhooks.filter((h) => h.id !== hook.id);
    ctx.save();
    return noContent();
  });
}
