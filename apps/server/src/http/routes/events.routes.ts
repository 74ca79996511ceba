import { z } from "@hono/zod-openapi";
import { EVENT_TYPES } from "../../modules/events/events.repo.js";
import type { Services } from "../../services.js";
import { type ApiApp, principalOf } from "../context.js";
import { defineRoute, errors, json } from "../openapi.js";
import { envelope, PageQuery, pageOf, presentList } from "../pagination.js";

const Event = z
  .object({
    id: z.number(),
    type: z.enum(EVENT_TYPES),
    annotatorId: z.number().nullable(),
    eventType: z
      .string()
      .describe("e.g. started, error, annotation_created, annotation_deleted, review_rejected"),
    createdAt: z.date().or(z.string()),
    message: z.string().nullable().describe("Container events"),
    details: z.record(z.string(), z.unknown()).nullable().describe("Container events"),
    assignmentId: z.number().nullable().describe("Annotation events"),
    lsProjectId: z.number().nullable(),
    lsTaskId: z.number().nullable(),
    lsAnnotationId: z.number().nullable(),
    timeSpentMs: z.number().nullable(),
  })
  .openapi("Event");

const EventQuery = PageQuery.extend({
  type: z.enum(EVENT_TYPES).optional().describe("container or annotation; both merged when absent"),
  annotatorId: z.coerce.number().int().positive().optional().describe("Filter by annotator"),
});

const listEvents = defineRoute({
  method: "get",
  path: "/api/events",
  operationId: "listEvents",
  summary: "Container and annotation events merged, newest first (always paginated)",
  tags: ["Events"],
  request: { query: EventQuery },
  responses: { 200: json(envelope(Event), "Events"), ...errors() },
});

export function registerEventRoutes(app: ApiApp, { events }: Services) {
  app.openapi(listEvents, async (c) => {
    const { type, annotatorId, ...page } = c.req.valid("query");
    const result = await events.list(principalOf(c).organizationId, { type, annotatorId }, pageOf(page));
    return c.json(presentList(c, page, result, { alwaysEnvelope: true }) as never, 200);
  });
}
