import type { Services } from "../../services.js";
import { type ApiApp, principalOf } from "../context.js";
import { defineRoute, errors, IdParams, json, jsonBody, SuccessBody } from "../openapi.js";
import { listOf, PageQuery, pageOf, presentList } from "../pagination.js";
import {
  Annotator,
  AnnotatorDetail,
  AnnotatorInput,
  AnnotatorListQuery,
  AnnotatorUpdate,
  BulkCreateBody,
  BulkCreated,
  BulkDeleteBody,
  BulkDeleted,
  InstanceStatus,
  LifecycleAction,
  StartAccepted,
  TokenBody,
  WebhookSecretHeader,
} from "./annotators.schemas.js";

const tags = ["Annotators"];
const optionalBody = { content: { "application/json": { schema: LifecycleAction } }, required: false };

const routes = {
  list: defineRoute({
    method: "get",
    path: "/api/annotators",
    operationId: "listAnnotators",
    summary: "List annotators",
    tags,
    request: { query: PageQuery.extend(AnnotatorListQuery.shape) },
    responses: { 200: json(listOf(Annotator), "Annotators"), ...errors() },
  }),
  create: defineRoute({
    method: "post",
    path: "/api/annotators",
    operationId: "createAnnotator",
    summary: "Create an annotator (subdomain, LS token and webhook secret are generated)",
    tags,
    request: jsonBody(AnnotatorInput),
    responses: { 201: json(Annotator, "Created"), ...errors(403, 409) },
  }),
  bulkCreate: defineRoute({
    method: "post",
    path: "/api/annotators/bulk",
    operationId: "bulkCreateAnnotators",
    summary: "Create up to 100 annotators at once (all or nothing)",
    tags,
    request: jsonBody(BulkCreateBody),
    responses: { 201: json(BulkCreated, "Created"), ...errors(403, 409) },
  }),
  bulkDelete: defineRoute({
    method: "delete",
    path: "/api/annotators/bulk",
    operationId: "bulkDeleteAnnotators",
    summary: "Delete up to 100 annotators (status deleted; their instances are removed in the background)",
    tags,
    request: jsonBody(BulkDeleteBody),
    responses: { 200: json(BulkDeleted, "Deleted"), ...errors(403, 404, 409) },
  }),
  get: defineRoute({
    method: "get",
    path: "/api/annotators/{id}",
    operationId: "getAnnotator",
    summary: "Get an annotator with its assignments and role",
    tags,
    request: { params: IdParams },
    responses: { 200: json(AnnotatorDetail, "The annotator"), ...errors(404) },
  }),
  update: defineRoute({
    method: "put",
    path: "/api/annotators/{id}",
    operationId: "updateAnnotator",
    summary: "Update an annotator",
    tags,
    request: { params: IdParams, ...jsonBody(AnnotatorUpdate) },
    responses: { 200: json(Annotator, "Updated"), ...errors(403, 404, 409) },
  }),
  remove: defineRoute({
    method: "delete",
    path: "/api/annotators/{id}",
    operationId: "deleteAnnotator",
    summary: "Delete an annotator and remove its Label Studio instance",
    tags,
    request: { params: IdParams },
    responses: { 200: json(SuccessBody, "Deleted"), ...errors(403, 404, 409, 503) },
  }),
  start: defineRoute({
    method: "post",
    path: "/api/annotators/{id}/start",
    operationId: "startAnnotator",
    summary: "Provision and start the annotator's Label Studio instance (asynchronous: poll the status)",
    tags,
    request: { params: IdParams, body: optionalBody },
    responses: { 200: json(StartAccepted, "Start queued"), ...errors(403, 404, 409) },
  }),
  stop: defineRoute({
    method: "post",
    path: "/api/annotators/{id}/stop",
    operationId: "stopAnnotator",
    summary: "Stop the annotator's Label Studio instance (its data is kept)",
    tags,
    request: { params: IdParams, body: optionalBody },
    responses: { 200: json(SuccessBody, "Stopped"), ...errors(403, 404, 409, 503) },
  }),
  status: defineRoute({
    method: "get",
    path: "/api/annotators/{id}/status",
    operationId: "getAnnotatorStatus",
    summary: "Current lifecycle status of the annotator's instance",
    tags,
    request: { params: IdParams },
    responses: { 200: json(InstanceStatus, "Status"), ...errors(404) },
  }),
  token: defineRoute({
    method: "post",
    path: "/api/annotators/{id}/token",
    operationId: "reportAnnotatorToken",
    summary: "Instance callback: report the LS API token (authenticated by X-Webhook-Secret)",
    tags,
    security: [],
    request: { params: IdParams, headers: WebhookSecretHeader, ...jsonBody(TokenBody) },
    responses: { 200: json(SuccessBody, "Stored"), ...errors() },
  }),
};

export function registerAnnotatorRoutes(app: ApiApp, { annotators, fleet }: Services) {
  const org = (c: Parameters<typeof principalOf>[0]) => principalOf(c).organizationId;
  const member = (c: Parameters<typeof principalOf>[0]) => principalOf(c).memberId;

  app.openapi(routes.list, async (c) => {
    const { status, roleId, ...page } = c.req.valid("query");
    const result = await annotators.list(org(c), { status, roleId }, pageOf(page));
    return c.json(presentList(c, page, result), 200);
  });
  app.openapi(routes.create, async (c) =>
    c.json(await annotators.create(org(c), c.req.valid("json"), member(c)), 201),
  );
  // The bulk routes come before /{id}, which would otherwise take "bulk" for an id.
  app.openapi(routes.bulkCreate, async (c) =>
    c.json(await annotators.createMany(org(c), c.req.valid("json").annotators, member(c)), 201),
  );
  app.openapi(routes.bulkDelete, async (c) =>
    c.json(await fleet.lifecycle.removeMany(org(c), c.req.valid("json").ids, member(c)), 200),
  );
  app.openapi(routes.get, async (c) =>
    c.json(await annotators.getDetail(org(c), c.req.valid("param").id), 200),
  );
  app.openapi(routes.update, async (c) =>
    c.json(await annotators.update(org(c), c.req.valid("param").id, c.req.valid("json")), 200),
  );
  app.openapi(routes.remove, async (c) =>
    c.json(await fleet.lifecycle.remove(org(c), c.req.valid("param").id, member(c)), 200),
  );
  // The body is optional: absent, there is nothing to validate.
  const reasonOf = (body: { reason?: string | undefined } | undefined) => body?.reason ?? null;
  app.openapi(routes.start, async (c) =>
    c.json(
      await fleet.lifecycle.requestStart(
        org(c),
        c.req.valid("param").id,
        member(c),
        reasonOf(c.req.valid("json")),
      ),
      200,
    ),
  );
  app.openapi(routes.stop, async (c) =>
    c.json(
      await fleet.lifecycle.stop(org(c), c.req.valid("param").id, member(c), reasonOf(c.req.valid("json"))),
      200,
    ),
  );
  app.openapi(routes.status, async (c) =>
    c.json(await fleet.lifecycle.status(org(c), c.req.valid("param").id), 200),
  );
  app.openapi(routes.token, async (c) => {
    const secret = c.req.valid("header")["x-webhook-secret"];
    return c.json(
      await fleet.lifecycle.reportToken(c.req.valid("param").id, secret, c.req.valid("json").token),
      200,
    );
  });
}
