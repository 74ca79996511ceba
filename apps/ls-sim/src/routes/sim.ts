import type { Hono } from "hono";
import type { SimContext, SimEnv } from "../context.js";
import { validationError } from "../errors.js";
import type { FaultSettings } from "../faults.js";
import { readObject } from "../http.js";
import { isRecord } from "../util.js";

const RATE_KEYS = ["errorRate", "dropWebhookRate", "duplicateWebhookRate", "omitDeletedIdsRate"] as const;

/** Validates a fault patch; unknown keys are rejected so that typos do not silently test nothing. */
function parsePatch(body: Record<string, unknown>): { patch: Partial<FaultSettings>; crash: boolean } {
  const known = new Set<string>([
    ...RATE_KEYS,
    "latencyMs",
    "failNext",
    "errorStatus",
    "errorPhase",
    "match",
    "seed",
    "quirks",
    "crash",
  ]);
  const unknown = Object.keys(body).filter((k) => !known.has(k));
  if (unknown.length > 0)
    throw validationError({ non_field_errors: [`unknown fault keys: ${unknown.join(", ")}`] });
  const patch: Partial<FaultSettings> = {};
  for (const key of RATE_KEYS) {
    const v = body[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || v < 0 || v > 1)
      throw validationError({ [key]: ["must be a number in [0, 1]"] });
    patch[key] = v;
  }
  for (const key of ["latencyMs", "failNext", "errorStatus"] as const) {
    const v = body[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
      throw validationError({ [key]: ["must be a non-negative integer"] });
    patch[key] = v;
  }
  if (body.errorPhase !== undefined) {
    if (body.errorPhase !== "before" && body.errorPhase !== "after")
      throw validationError({ errorPhase: ["before | after"] });
    patch.errorPhase = body.errorPhase;
  }
  if (body.match !== undefined) {
    if (body.match !== null && !isRecord(body.match)) throw validationError({ match: ["object or null"] });
    patch.match = body.match as FaultSettings["match"];
  }
  if (body.seed !== undefined) {
    if (body.seed !== null && !Number.isInteger(body.seed))
      throw validationError({ seed: ["integer or null"] });
    patch.seed = body.seed as number | null;
  }
  if (body.quirks !== undefined) {
    if (!isRecord(body.quirks)) throw validationError({ quirks: ["object"] });
    patch.quirks = body.quirks as unknown as FaultSettings["quirks"];
  }
  return { patch, crash: body.crash === true };
}

/** Test-only routes under `/__sim/` (no auth, no faults): fault switches and delivery/request logs. */
export function registerSimRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  app.get("/__sim/faults", (c) => c.json(ctx.faults.settings));
  app.post("/__sim/faults", async (c) => {
    const { patch, crash } = parsePatch(await readObject(c));
    ctx.faults.update(patch);
    // Crash after the answer has been written, like a process dying between requests.
    if (crash) setTimeout(() => ctx.onCrash(), 20);
    return c.json({ ...ctx.faults.settings, crashing: crash });
  });
  app.delete("/__sim/faults", (c) => {
    ctx.faults.reset();
    return c.json(ctx.faults.settings);
  });

  app.get("/__sim/webhook-log", (c) => {
    const action = c.req.query("action");
    const since = Number(c.req.query("since") ?? "0");
    return c.json(ctx.webhooks.log.filter((e) => e.seq > since && (!action || e.action === action)));
  });
  app.delete("/__sim/webhook-log", (c) => {
    ctx.webhooks.clearLog();
    return c.json([]);
  });

  app.get("/__sim/request-log", (c) => c.json(ctx.faults.requestLog));
  app.delete("/__sim/request-log", (c) => {
    ctx.faults.requestLog.length = 0;
    return c.json([]);
  });

  app.get("/__sim/state", (c) => {
    const s = ctx.state;
    return c.json({
      organization: s.organization
        ? { id: s.organization.id, legacy_api_tokens_enabled: s.organization.legacy_api_tokens_enabled }
        : null,
      users: s.users.map((u) => ({ id: u.id, email: u.email })),
      counts: {
        projects: s.projects.length,
        tasks: s.tasks.length,
        annotations: s.annotations.length,
        webhooks: s.webhooks.length,
      },
    });
  });
}
