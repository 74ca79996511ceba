import { z } from "@hono/zod-openapi";
import { MAX_LABEL_CONFIG_CHARS } from "../../labelstudio/label-config.js";
import type { Services } from "../../services.js";
import { type ApiApp, principalOf } from "../context.js";
import { defineRoute, errors, IdParams, json, jsonBody, SuccessBody, Timestamp } from "../openapi.js";
import { listOf, PageQuery, pageOf, presentList } from "../pagination.js";

const LabelingConfigInput = z.object({
  name: z.string().trim().min(1).max(100).describe("Config name (1-100 chars)"),
  description: z.string().max(500).nullish().describe("Description (max 500 chars)"),
  configXml: z
    .string()
    .min(1)
    .max(MAX_LABEL_CONFIG_CHARS)
    .describe("Label Studio XML config: well-formed, <View> root, at least one object tag (max 50000 chars)"),
});
const LabelingConfigUpdate = LabelingConfigInput.partial().refine(
  (v) => Object.keys(v).length > 0,
  "At least one field is required",
);

const LabelingConfig = z
  .object({
    id: z.number(),
    name: z.string(),
    description: z.string().nullable(),
    configXml: z.string(),
    workflowCount: z.number(),
    goldTaskCount: z.number(),
    isLocked: z.boolean().describe("True when gold tasks reference this config: its XML cannot change"),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi("LabelingConfig");

const tags = ["Labeling configs"];

const routes = {
  list: defineRoute({
    method: "get",
    path: "/api/labeling-configs",
    operationId: "listLabelingConfigs",
    summary: "List labeling configs",
    tags,
    request: { query: PageQuery },
    responses: { 200: json(listOf(LabelingConfig), "Labeling configs"), ...errors() },
  }),
  create: defineRoute({
    method: "post",
    path: "/api/labeling-configs",
    operationId: "createLabelingConfig",
    summary: "Create a labeling config (XML validated)",
    tags,
    request: jsonBody(LabelingConfigInput),
    responses: { 201: json(LabelingConfig, "Created"), ...errors(403) },
  }),
  get: defineRoute({
    method: "get",
    path: "/api/labeling-configs/{id}",
    operationId: "getLabelingConfig",
    summary: "Get a labeling config with its usage counts",
    tags,
    request: { params: IdParams },
    responses: { 200: json(LabelingConfig, "The config"), ...errors(404) },
  }),
  update: defineRoute({
    method: "put",
    path: "/api/labeling-configs/{id}",
    operationId: "updateLabelingConfig",
    summary: "Update a labeling config (409 for XML edits while gold tasks reference it)",
    tags,
    request: { params: IdParams, ...jsonBody(LabelingConfigUpdate) },
    responses: { 200: json(LabelingConfig, "Updated"), ...errors(403, 404, 409) },
  }),
  remove: defineRoute({
    method: "delete",
    path: "/api/labeling-configs/{id}",
    operationId: "deleteLabelingConfig",
    summary: "Delete a labeling config (409 while workflows or gold tasks reference it)",
    tags,
    request: { params: IdParams },
    responses: { 200: json(SuccessBody, "Deleted"), ...errors(403, 404, 409) },
  }),
};

export function registerLabelingConfigRoutes(app: ApiApp, { labelingConfigs }: Services) {
  app.openapi(routes.list, async (c) => {
    const query = c.req.valid("query");
    const result = await labelingConfigs.list(principalOf(c).organizationId, pageOf(query));
    return c.json(presentList(c, query, result), 200);
  });
  app.openapi(routes.create, async (c) =>
    c.json(await labelingConfigs.create(principalOf(c).organizationId, c.req.valid("json")), 201),
  );
  app.openapi(routes.get, async (c) =>
    c.json(await labelingConfigs.get(principalOf(c).organizationId, c.req.valid("param").id), 200),
  );
  app.openapi(routes.update, async (c) =>
    c.json(
      await labelingConfigs.update(
        principalOf(c).organizationId,
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
      200,
    ),
  );
  app.openapi(routes.remove, async (c) => {
    await labelingConfigs.remove(principalOf(c).organizationId, c.req.valid("param").id);
    return c.json({ success: true as const }, 200);
  });
}
