import { z } from "@hono/zod-openapi";
import { GOLD_DIFFICULTIES } from "../../db/schema/index.js";
import type { Services } from "../../services.js";
import { type ApiApp, principalOf } from "../context.js";
import { defineRoute, errors, IdParams, json, jsonBody, SuccessBody } from "../openapi.js";
import { listOf, PageQuery, pageOf, presentList } from "../pagination.js";

const ResultItem = z.record(z.string(), z.unknown()).openapi({
  example: { from_name: "label", to_name: "image", type: "choices", value: { choices: ["cat"] } },
});

export const GoldTaskInput = z.object({
  name: z.string().trim().max(255).nullish().describe("Display name (max 255 chars)"),
  s3ImageKey: z.string().trim().min(1).max(1024).describe("Storage key of the gold image"),
  expectedLabels: z
    .array(ResultItem)
    .min(1)
    .max(1000)
    .describe("Expected Label Studio result (from_name/to_name/type must exist in the labeling config)"),
  labelingConfigId: z.number().int().positive().describe("Associated labeling config"),
  category: z.string().trim().max(100).nullish().describe("Category for filtering (max 100 chars)"),
  difficulty: z.enum(GOLD_DIFFICULTIES).nullish().describe("easy, medium or hard"),
});
const GoldTaskUpdate = GoldTaskInput.partial().refine(
  (v) => Object.keys(v).length > 0,
  "At least one field is required",
);

export const GoldTask = z
  .object({
    id: z.number(),
    name: z.string().nullable(),
    s3ImageKey: z.string(),
    expectedLabels: z.array(z.unknown()),
    labelingConfigId: z.number(),
    category: z.string().nullable(),
    difficulty: z.enum(GOLD_DIFFICULTIES).nullable(),
    createdAt: z.date().or(z.string()),
    updatedAt: z.date().or(z.string()),
  })
  .openapi("GoldTask");

const GoldTaskQuery = PageQuery.extend({
  labelingConfigId: z.coerce.number().int().positive().optional().describe("Filter by labeling config"),
  category: z.string().max(100).optional().describe("Filter by category"),
});

const tags = ["Gold Tasks"];

const routes = {
  list: defineRoute({
    method: "get",
    path: "/api/gold-tasks",
    operationId: "listGoldTasks",
    summary: "List gold standard tasks (filter by labeling config or category)",
    tags,
    request: { query: GoldTaskQuery },
    responses: { 200: json(listOf(GoldTask), "Gold tasks"), ...errors() },
  }),
  create: defineRoute({
    method: "post",
    path: "/api/gold-tasks",
    operationId: "createGoldTask",
    summary: "Create a gold standard task (locks its labeling config's XML)",
    tags,
    request: jsonBody(GoldTaskInput),
    responses: { 201: json(GoldTask, "Created"), ...errors(403) },
  }),
  get: defineRoute({
    method: "get",
    path: "/api/gold-tasks/{id}",
    operationId: "getGoldTask",
    summary: "Get a gold standard task",
    tags,
    request: { params: IdParams },
    responses: { 200: json(GoldTask, "The gold task"), ...errors(404) },
  }),
  update: defineRoute({
    method: "put",
    path: "/api/gold-tasks/{id}",
    operationId: "updateGoldTask",
    summary: "Update a gold standard task",
    tags,
    request: { params: IdParams, ...jsonBody(GoldTaskUpdate) },
    responses: { 200: json(GoldTask, "Updated"), ...errors(403, 404) },
  }),
  remove: defineRoute({
    method: "delete",
    path: "/api/gold-tasks/{id}",
    operationId: "deleteGoldTask",
    summary: "Delete a gold standard task (and its scores)",
    tags,
    request: { params: IdParams },
    responses: { 200: json(SuccessBody, "Deleted"), ...errors(403, 404) },
  }),
};

export function registerGoldTaskRoutes(app: ApiApp, { goldTasks }: Services) {
  app.openapi(routes.list, async (c) => {
    const query = c.req.valid("query");
    const { labelingConfigId, category } = query;
    const result = await goldTasks.list(
      principalOf(c).organizationId,
      { labelingConfigId, category },
      pageOf(query),
    );
    return c.json(presentList(c, query, result), 200);
  });
  app.openapi(routes.create, async (c) =>
    c.json(await goldTasks.create(principalOf(c).organizationId, c.req.valid("json")), 201),
  );
  app.openapi(routes.get, async (c) =>
    c.json(await goldTasks.get(principalOf(c).organizationId, c.req.valid("param").id), 200),
  );
  app.openapi(routes.update, async (c) =>
    c.json(
      await goldTasks.update(principalOf(c).organizationId, c.req.valid("param").id, c.req.valid("json")),
      200,
    ),
  );
  app.openapi(routes.remove, async (c) => {
    await goldTasks.remove(principalOf(c).organizationId, c.req.valid("param").id);
    return c.json({ success: true as const }, 200);
  });
}
