import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { safeEqual } from "../../lib/crypto.js";
import type { Metrics } from "../../lib/metrics.js";
import type { Services } from "../../services.js";
import type { ApiApp } from "../context.js";
import { defineRoute } from "../openapi.js";

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/** Sets the gauges that are read at scrape time: jobs by name and state, instances by status. */
export async function refreshGauges(db: Db, metrics: Metrics) {
  const [jobs, instances] = await Promise.all([
    db.execute(sql`select name, status, count(*) as n from jobs group by name, status`),
    db.execute(sql`select status, count(*) as n from annotators group by status`),
  ]);
  // Reset first, so a label combination that disappeared reads 0 instead of its last value.
  metrics.jobs.reset();
  for (const r of rowsOf<{ name: string; status: string; n: string | number }>(jobs))
    metrics.jobs.set({ name: r.name, state: r.status }, Number(r.n));
  metrics.instances.reset();
  for (const r of rowsOf<{ status: string; n: string | number }>(instances))
    metrics.instances.set({ status: r.status }, Number(r.n));
}

const route = defineRoute({
  method: "get",
  path: "/metrics",
  operationId: "getPrometheusMetrics",
  summary: "Prometheus metrics (text exposition format)",
  tags: ["System"],
  // Prometheus text, not JSON: outside the JSON contract and the MCP tools (docs/ARCHITECTURE.md).
  hide: true,
  request: { headers: z.object({ authorization: z.string().max(500).optional() }) },
  responses: {
    200: { content: { "text/plain": { schema: z.string() } }, description: "Metrics" },
    401: { content: { "text/plain": { schema: z.string() } }, description: "Missing or wrong METRICS_TOKEN" },
  },
});

/**
 * `GET /metrics` (outside /api, so the session/token middleware does not apply): public, or guarded
 * by `Authorization: Bearer <METRICS_TOKEN>` when that is set.
 */
export function registerMetricsRoutes(app: ApiApp, { db, metrics, config }: Services) {
  app.openapi(route, async (c) => {
    const expected = config.metrics.token;
    if (expected) {
      const given = /^Bearer\s+(\S+)$/i.exec(c.req.valid("header").authorization ?? "")?.[1] ?? "";
      if (!safeEqual(expected, given)) {
        return c.text("Unauthorized\n", 401, { "www-authenticate": 'Bearer realm="metrics"' });
      }
    }
    await refreshGauges(db, metrics);
    return c.text(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType });
  });
}
