import { z } from "@hono/zod-openapi";
import { REJECTION_ACTIONS } from "../../db/schema/index.js";
import type { Services } from "../../services.js";
import { type ApiApp, principalOf } from "../context.js";
import { defineRoute, errors, IdParams, json } from "../openapi.js";
import { envelope, PageQuery, pageOf, presentList } from "../pagination.js";

const Time = z.date().or(z.string());
const AnnotatorRef = z
  .object({ id: z.number(), name: z.string(), email: z.string(), status: z.string() })
  .nullable();
const AssignmentRef = z
  .object({
    id: z.number(),
    workflowId: z.number(),
    annotatorId: z.number(),
    lsProjectId: z.number().nullable(),
    taskCount: z.number(),
    completedCount: z.number(),
    status: z.string(),
    createdAt: Time,
    workflow: z.object({ id: z.number(), name: z.string(), rejectionMode: z.string() }),
  })
  .nullable();

const RejectionFields = z.object({
  id: z.number(),
  itemId: z.number().nullable(),
  annotationId: z.number().nullable(),
  originalAnnotatorId: z.number().nullable(),
  reviewerAnnotatorId: z.number().nullable(),
  reviewerAssignmentId: z.number().nullable(),
  originalAssignmentId: z.number().nullable(),
  routedToAssignmentId: z.number().nullable(),
  routedToWorkflowId: z.number().nullable(),
  workflowId: z.number().nullable().describe("The reviewer's workflow"),
  imageKey: z.string().nullable(),
  reason: z.string().nullable(),
  actionTaken: z.enum(REJECTION_ACTIONS),
  iteration: z.number().describe("Rework iteration this rejection ended (1 = the first review)"),
  createdAt: Time,
  originalAnnotator: AnnotatorRef,
  reviewerAnnotator: AnnotatorRef,
});
const Rejection = RejectionFields.openapi("Rejection");
const RejectionDetail = RejectionFields.extend({
  reviewerAssignment: AssignmentRef,
  originalAssignment: AssignmentRef,
  routedToAssignment: AssignmentRef,
}).openapi("RejectionDetail");

const RejectionQuery = PageQuery.extend({
  workflowId: z.coerce.number().int().positive().optional().describe("Filter by reviewer's workflow"),
  annotatorId: z.coerce.number().int().positive().optional().describe("Filter by original annotator"),
  actionTaken: z.enum(REJECTION_ACTIONS).optional().describe("Filter by action"),
});

const tags = ["Rejections"];
const routes = {
  list: defineRoute({
    method: "get",
    path: "/api/rejections",
    operationId: "listRejections",
    summary: "List rejections (always paginated), with the original and reviewer annotators",
    tags,
    request: { query: RejectionQuery },
    responses: { 200: json(envelope(Rejection), "Rejections, newest first"), ...errors() },
  }),
  get: defineRoute({
    method: "get",
    path: "/api/rejections/{id}",
    operationId: "getRejection",
    summary: "Get a rejection with annotators, reviewer/original/routed-to assignments",
    tags,
    request: { params: IdParams },
    responses: { 200: json(RejectionDetail, "The rejection"), ...errors(404) },
  }),
};

export function registerRejectionRoutes(app: ApiApp, { rejections }: Services) {
  app.openapi(routes.list, async (c) => {
    const { workflowId, annotatorId, actionTaken, ...page } = c.req.valid("query");
    const result = await rejections.list(
      principalOf(c).organizationId,
      { workflowId, annotatorId, actionTaken },
      pageOf(page),
    );
    return c.json(presentList(c, page, result, { alwaysEnvelope: true }) as never, 200);
  });
  app.openapi(routes.get, async (c) =>
    c.json(await rejections.get(principalOf(c).organizationId, c.req.valid("param").id), 200),
  );
}
