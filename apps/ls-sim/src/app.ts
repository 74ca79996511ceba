import { Hono, type MiddlewareHandler } from "hono";
import { authMiddleware } from "./auth.js";
import type { SimContext, SimEnv } from "./context.js";
import { envelope, errorResponse, htmlNotFound } from "./errors.js";
import { registerAnnotationRoutes } from "./routes/annotations.js";
import { registerExportRoutes } from "./routes/export.js";
import { registerImportRoutes } from "./routes/import.js";
import { registerProjectRoutes } from "./routes/projects.js";
import { registerSimRoutes } from "./routes/sim.js";
import { registerStorageRoutes } from "./routes/storages.js";
import { registerSystemRoutes } from "./routes/system.js";
import { registerTaskRoutes } from "./routes/tasks.js";
import { registerTokenRoutes } from "./routes/tokens.js";
import { registerWebhookRoutes } from "./routes/webhooks.js";
import { now, sleep } from "./util.js";

/** Latency and error faults, plus the request log; `/__sim/*` is never affected. */
function faultMiddleware(ctx: SimContext): MiddlewareHandler<SimEnv> {
  return async (c, next) => {
    if (c.req.path.startsWith("/__sim/")) return next();
    const { faults } = ctx;
    const applies = faults.matches(c.req.method, c.req.path);
    const log = (status: number, injected: boolean) =>
      faults.logRequest({ at: now(), method: c.req.method, path: c.req.path, status, injected });
    if (applies && faults.settings.latencyMs > 0) await sleep(faults.settings.latencyMs);
    const fail = applies && faults.shouldFail();
    const status = faults.settings.errorStatus || 500;
    const injected = () => Response.json(envelope(status, "Injected fault (ls-sim)"), { status });
    if (fail && faults.settings.errorPhase === "before") {
      log(status, true);
      return injected();
    }
    await next();
    if (fail) {
      log(status, true);
      c.res = injected();
      return;
    }
    log(c.res.status, false);
  };
}

interface RouteShape {
  method: string;
  re: RegExp;
}

function compile(path: string): RegExp {
  const pattern = path
    .split("/")
    .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${pattern}$`);
}

/**
 * Builds the simulator's request handler. Routing follows LS's trailing-slash middleware (§0.1):
 * a path without its final `/` is re-dispatched internally to the slash route (no redirect), while an
 * extra slash on a no-slash route is a plain HTML 404.
 */
export function createApp(ctx: SimContext): (req: Request) => Promise<Response> {
  const app = new Hono<SimEnv>({ strict: true });
  app.onError((err) => errorResponse(err));
  app.notFound((c) => htmlNotFound(c.req.path));
  app.use("*", faultMiddleware(ctx));
  app.use("/api/*", authMiddleware(ctx));
  registerSimRoutes(app, ctx);
  registerSystemRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  registerProjectRoutes(app, ctx);
  registerImportRoutes(app, ctx);
  registerTaskRoutes(app, ctx);
  registerAnnotationRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerExportRoutes(app, ctx);
  registerStorageRoutes(app, ctx);

  const routes: RouteShape[] = app.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => ({ method: r.method, re: compile(r.path) }));
  const methodsFor = (path: string): Set<string> =>
    new Set(routes.filter((r) => r.re.test(path)).map((r) => r.method));

  return async (req) => {
    const url = new URL(req.url);
    let methods = methodsFor(url.pathname);
    if (methods.size === 0 && !url.pathname.endsWith("/")) {
      const withSlash = methodsFor(`${url.pathname}/`);
      if (withSlash.size > 0) {
        url.pathname = `${url.pathname}/`;
        methods = withSlash;
        const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
        req = new Request(url, { method: req.method, headers: req.headers, body });
      }
    }
    if (methods.size === 0) return htmlNotFound(url.pathname);
    const allowed = methods.has(req.method) || (req.method === "HEAD" && methods.has("GET"));
    if (!allowed) {
      const detail = `Method "${req.method}" not allowed.`;
      return Response.json(envelope(405, detail), {
        status: 405,
        headers: { Allow: [...methods].join(", ") },
      });
    }
    return app.fetch(req);
  };
}
