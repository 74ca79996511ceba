import { z } from "@hono/zod-openapi";
import { ASSIGNMENT_STATUSES } from "../../db/schema/index.js";
import type { Services } from "../../services.js";
import { type ApiApp, principalOf } from "../context.js";
import { defineRoute, errors, IdParams, json, jsonBody, SuccessBody } from "../openapi.js";
import { envelope, PageQuery, pageOf, presentList } from "../pagination.js";

const Time = z.date().or(z.string());
const NullableTime = Time.nullable();

const AssignmentSummary = z
  .object({
    id: z.number(),
    workflowId: z.number(),
    annotatorId: z.number(),
    lsProjectId: z.number().nullable(),
    taskCount: z.number(),
    goldTaskCount: z.number(),
    status: z.enum(ASSIGNMENT_STATUSES),
  })
  .openapi("AssignmentSummary");

const AssignmentFields = AssignmentSummary.extend({
  completedCount: z.number(),
  failureReason: z.string().nullable(),
  deliveryAttempts: z.number(),
  exportKey: z.string().nullable(),
  startedAt: NullableTime,
  completedAt: NullableTime,
  createdAt: Time,
  updatedAt: Time,
});

const AnnotatorRef = z.object({
  id: z.number(),
  name: z.string(),
  email: z.string(),
  status: z.string(),
  roleId: z.number().nullable(),
});

const AssignmentListItem = AssignmentFields.extend({
  annotator: AnnotatorRef,
  workflow: z.object({ id: z.number(), name: z.string() }),
}).openapi("AssignmentListItem");

const AssignmentDetail = AssignmentFields.extend({
  annotator: AnnotatorRef.extend({
    role: z.object({ id: z.number(), name: z.string(), color: z.string().nullable() }).nullable(),
  }),
  workflow: z.object({
    id: z.number(),
    name: z.string(),
    roleId: z.number().nullable(),
    labelingConfigId: z.number().nullable(),
    imagesPerProject: z.number(),
    goldStandardRate: z.number(),
    annotationsPerItem: z.number(),
    isActive: z.boolean(),
    labelingConfig: z.object({ id: z.number(), name: z.string(), configXml: z.string() }).nullable(),
  }),
  tasks: z.array(
    z.object({
      id: z.number(),
      itemId: z.number(),
      position: z.number(),
      isGold: z.boolean(),
      lsTaskId: z.number().nullable(),
      isDone: z.boolean(),
      completedAt: NullableTime,
      releasedAt: NullableTime,
      sourceKey: z.string(),
      storageKey: z.string(),
    }),
  ),
  goldResults: z.array(
    z.object({
      id: z.number(),
      goldTaskId: z.number(),
      annotationId: z.number().nullable(),
      score: z.number(),
      dimensionScores: z.record(z.string(), z.number().nullable()).nullable(),
      evaluatedAt: Time,
    }),
  ),
}).openapi("AssignmentDetail");

const AssignmentQuery = PageQuery.extend({
  workflowId: z.coerce.number().int().positive().optional().describe("Filter by workflow"),
  annotatorId: z.coerce.number().int().positive().optional().describe("Filter by annotator"),
  status: z.enum(ASSIGNMENT_STATUSES).optional().describe("Filter by status"),
});

const AssignInput = z.object({
  annotatorId: z.number().int().positive().describe("Target annotator ID"),
});
const AssignResult = z
  .object({ success: z.literal(true), assignment: AssignmentSummary })
  .openapi("AssignResult");

const tags = ["Assignments"];

const routes = {
  list: defineRoute({
    method: "get",
    path: "/api/assignments",
    operationId: "listAssignments",
    summary: "List assignments (always paginated), with annotator and workflow",
    tags,
    request: { query: AssignmentQuery },
    responses: { 200: json(envelope(AssignmentListItem), "Assignments"), ...errors() },
  }),
  get: defineRoute({
    method: "get",
    path: "/api/assignments/{id}",
    operationId: "getAssignment",
    summary: "Get an assignment with annotator (role), workflow (labeling config), tasks and gold results",
    tags,
    request: { params: IdParams },
    responses: { 200: json(AssignmentDetail, "The assignment"), ...errors(404) },
  }),
  cancel: defineRoute({
    method: "delete",
    path: "/api/assignments/{id}",
    operationId: "cancelAssignment",
    summary: "Cancel a pending or in-progress assignment; its unannotated items return to the pool",
    tags,
    request: { params: IdParams },
    responses: { 200: json(SuccessBody, "Cancelled"), ...errors(403, 404, 409) },
  }),
  assign: defineRoute({
    method: "post",
    path: "/api/workflows/{id}/assign",
    operationId: "assignWorkflowBatch",
    summary: "Assign a batch of the workflow to an annotator",
    tags: ["Workflows", ...tags],
    request: { params: IdParams, ...jsonBody(AssignInput) },
    responses: {
      200: json(AssignResult, "The assignment, pending delivery"),
      ...errors(403, 404, 409),
    },
  }),
};

export function registerAssignmentRoutes(app: ApiApp, { assignments }: Services) {
  app.openapi(routes.list, async (c) => {
    const { workflowId, annotatorId, status, ...page } = c.req.valid("query");
    const result = await assignments.repo.list(
      principalOf(c).organizationId,
      { workflowId, annotatorId, status },
      pageOf(page),
    );
    return c.json(presentList(c, page, result, { alwaysEnvelope: true }) as never, 200);
  });
  app.openapi(routes.get, async (c) =>
    c.json(await assignments.repo.get(principalOf(c).organizationId, c.req.valid("param").id), 200),
  );
  app.openapi(routes.cancel, async (c) => {
    const principal = principalOf(c);
    await assignments.cancel(principal.organizationId, c.req.valid("param").id, principal.memberId);
    return c.json({ success: true as const }, 200);
  });
  app.openapi(routes.assign, async (c) => {
    const principal = principalOf(c);
    const assignment = await assignments.assign(
      principal.organizationId,
      c.req.valid("param").id,
      c.req.valid("json").annotatorId,
      { triggeredBy: principal.memberId },
    );
    const { id, workflowId, annotatorId, lsProjectId, taskCount, goldTaskCount, status } = assignment!;
    return c.json(
      {
        success: true as const,
        assignment: { id, workflowId, annotatorId, lsProjectId, taskCount, goldTaskCount, status },
      },
      200,
    );
  });
}
