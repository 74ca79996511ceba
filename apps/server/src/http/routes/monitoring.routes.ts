import { z } from "@hono/zod-openapi";
import type { Services } from "../../services.js";
import { type ApiApp, principalOf } from "../context.js";
import { defineRoute, errors, IdParams, json } from "../openapi.js";
import { DateTimeParam } from "./quality.routes.js";

const RangeQuery = z.object({
  tz: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe("IANA time zone deciding when today began (default UTC), e.g. Europe/Paris"),
  from: DateTimeParam.optional().describe("Start of the range (ISO 8601; default: to − 24 h)"),
  to: DateTimeParam.optional().describe("End of the range (ISO 8601; default: now); at most 31 days"),
});

const Monitoring = z
  .object({
    activeAnnotators: z.number(),
    todayAnnotations: z.number(),
    inProgressAssignments: z.number(),
    annotationsPerHour: z.array(z.object({ hour: z.string(), count: z.number() })),
    annotatorSummaries: z.array(
      z.object({
        id: z.number(),
        name: z.string(),
        todayCount: z.number(),
        avgTimeMs: z.number().nullable(),
        completionRate: z.number(),
      }),
    ),
  })
  .openapi("Monitoring");

const AnnotatorMonitoring = z
  .object({
    annotator: z.object({ id: z.number(), name: z.string(), status: z.string() }),
    containerUptime: z.string().nullable().describe("e.g. 4h 32m; null when the instance is not running"),
    todayAnnotations: z.number(),
    annotationsPerHour: z.number().describe("Annotations per active hour of the range"),
    timeDistribution: z.array(z.object({ bucket: z.string(), count: z.number() })),
    assignmentStats: z.object({ total: z.number(), completed: z.number(), inProgress: z.number() }),
    recentEvents: z.array(
      z.object({
        eventType: z.string(),
        lsTaskId: z.number().nullable(),
        timeSpentMs: z.number().nullable(),
        createdAt: z.string(),
      }),
    ),
  })
  .openapi("AnnotatorMonitoring");

const tags = ["Monitoring"];

const routes = {
  overview: defineRoute({
    method: "get",
    path: "/api/monitoring",
    operationId: "getMonitoring",
    summary: "Throughput and fleet metrics (annotations per hour, per-annotator summaries)",
    tags,
    request: { query: RangeQuery },
    responses: { 200: json(Monitoring, "Monitoring metrics"), ...errors() },
  }),
  annotator: defineRoute({
    method: "get",
    path: "/api/monitoring/annotator/{id}",
    operationId: "getAnnotatorMonitoring",
    summary: "One annotator's throughput, lead-time distribution, assignments and recent events",
    tags,
    request: { params: IdParams, query: RangeQuery },
    responses: { 200: json(AnnotatorMonitoring, "Annotator metrics"), ...errors(404) },
  }),
};

export function registerMonitoringRoutes(app: ApiApp, { monitoring }: Services) {
  app.openapi(routes.overview, async (c) =>
    c.json(await monitoring.overview(principalOf(c).organizationId, c.req.valid("query")), 200),
  );
  app.openapi(routes.annotator, async (c) =>
    c.json(
      await monitoring.annotator(
        principalOf(c).organizationId,
        c.req.valid("param").id,
        c.req.valid("query"),
      ),
      200,
    ),
  );
}
