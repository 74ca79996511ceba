import { z } from "@hono/zod-openapi";
import type { Services } from "../../services.js";
import { type ApiApp, principalOf } from "../context.js";
import { defineRoute, errors, IdParams, json, jsonBody, SuccessBody } from "../openapi.js";
import { listOf, PageQuery, pageOf, presentList } from "../pagination.js";
import {
  SyncStart,
  SyncStatus,
  Workflow,
  WorkflowBulkCreate,
  WorkflowCreate,
  WorkflowGraph,
  WorkflowUpdate,
  WorkflowWithChain,
} from "./workflows.schemas.js";

const tags = ["Workflows"];

const routes = {
  list: defineRoute({
    method: "get",
    path: "/api/workflows",
    operationId: "listWorkflows",
    summary: "List workflows",
    tags,
    request: { query: PageQuery },
    responses: { 200: json(listOf(Workflow), "Workflows"), ...errors() },
  }),
  create: defineRoute({
    method: "post",
    path: "/api/workflows",
    operationId: "createWorkflow",
    summary: "Create a workflow (its source prefix is synced into items by a job)",
    tags,
    request: jsonBody(WorkflowCreate),
    responses: { 201: json(Workflow, "Created"), ...errors(403) },
  }),
  bulk: defineRoute({
    method: "post",
    path: "/api/workflows/bulk",
    operationId: "createWorkflowsBulk",
    summary: "Create up to 50 workflows at once, all or nothing",
    tags,
    request: jsonBody(WorkflowBulkCreate),
    responses: {
      201: json(z.object({ created: z.number(), workflows: z.array(Workflow) }), "Created"),
      ...errors(403),
    },
  }),
  graph: defineRoute({
    method: "get",
    path: "/api/workflows/graph",
    operationId: "getWorkflowGraph",
    summary: "The workflow DAG: nodes with stats, archive terminals, chain and rejection edges",
    tags,
    responses: { 200: json(WorkflowGraph, "The graph"), ...errors() },
  }),
  get: defineRoute({
    method: "get",
    path: "/api/workflows/{id}",
    operationId: "getWorkflow",
    summary: "Get a workflow with its chain traced from origin to terminal",
    tags,
    request: { params: IdParams },
    responses: { 200: json(WorkflowWithChain, "The workflow"), ...errors(404) },
  }),
  update: defineRoute({
    method: "put",
    path: "/api/workflows/{id}",
    operationId: "updateWorkflow",
    summary: "Update a workflow; isActive pauses or resumes it",
    tags,
    request: { params: IdParams, ...jsonBody(WorkflowUpdate) },
    responses: { 200: json(Workflow, "Updated"), ...errors(403, 404) },
  }),
  remove: defineRoute({
    method: "delete",
    path: "/api/workflows/{id}",
    operationId: "deleteWorkflow",
    summary: "Delete a workflow and its items (409 while assignments or other workflows reference it)",
    tags,
    request: { params: IdParams },
    responses: { 200: json(SuccessBody, "Deleted"), ...errors(403, 404, 409) },
  }),
  syncStatus: defineRoute({
    method: "get",
    path: "/api/workflows/{id}/sync",
    operationId: "getWorkflowSync",
    summary: "Progress of the workflow's item sync",
    tags,
    request: { params: IdParams },
    responses: { 200: json(SyncStatus, "Sync progress"), ...errors(404) },
  }),
  syncStart: defineRoute({
    method: "post",
    path: "/api/workflows/{id}/sync",
    operationId: "startWorkflowSync",
    summary: "Sync the workflow's source prefix into items (resumes an interrupted sync)",
    tags,
    request: {
      params: IdParams,
      body: { content: { "application/json": { schema: SyncStart } }, required: false },
    },
    responses: {
      202: json(SyncStatus.extend({ started: z.boolean() }), "Accepted (started false: already running)"),
      ...errors(403, 404),
    },
  }),
};

export function registerWorkflowRoutes(app: ApiApp, { workflows, itemSync }: Services) {
  app.openapi(routes.list, async (c) => {
    const query = c.req.valid("query");
    const result = await workflows.list(principalOf(c).organizationId, pageOf(query));
    return c.json(presentList(c, query, result), 200);
  });
  app.openapi(routes.create, async (c) => {
    const { organizationId, memberId } = principalOf(c);
    return c.json(await workflows.create(organizationId, c.req.valid("json"), memberId), 201);
  });
  app.openapi(routes.bulk, async (c) => {
    const { organizationId, memberId } = principalOf(c);
    const created = await workflows.createMany(organizationId, c.req.valid("json").workflows, memberId);
    return c.json({ created: created.length, workflows: created }, 201);
  });
  // Registered before /{id}: "graph" is not an id.
  app.openapi(routes.graph, async (c) => c.json(await workflows.graph(principalOf(c).organizationId), 200));
  app.openapi(routes.get, async (c) =>
    c.json(await workflows.getWithChain(principalOf(c).organizationId, c.req.valid("param").id), 200),
  );
  app.openapi(routes.update, async (c) => {
    const { organizationId, memberId } = principalOf(c);
    return c.json(
      await workflows.update(organizationId, c.req.valid("param").id, c.req.valid("json"), memberId),
      200,
    );
  });
  app.openapi(routes.remove, async (c) => {
    await workflows.remove(principalOf(c).organizationId, c.req.valid("param").id);
    return c.json({ success: true as const }, 200);
  });
  app.openapi(routes.syncStatus, async (c) =>
    c.json(await itemSync.status(principalOf(c).organizationId, c.req.valid("param").id), 200),
  );
  app.openapi(routes.syncStart, async (c) => {
    // The body is optional: no body (or no content type) means "resume or start".
    const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
    const result = await itemSync.start(
      principalOf(c).organizationId,
      c.req.valid("param").id,
      body?.restart,
    );
    return c.json(result, 202);
  });
}
