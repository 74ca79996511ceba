import { z } from "@hono/zod-openapi";
import type { Services } from "../../services.js";
import { type ApiApp, principalOf } from "../context.js";
import { defineRoute, errors, json, jsonBody, SuccessBody } from "../openapi.js";
import { listOf, PageQuery, pageOf, presentList } from "../pagination.js";

const pk = (name: string) =>
  z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name, in: "path" }, example: 1 });
export const ProjectParams = z.object({ project_pk: pk("project_pk") });
const DimensionParams = z.object({ project_pk: pk("project_pk"), id: pk("id") });

const Dimension = z
  .object({
    id: z.number(),
    project: z.number().describe("The workflow (LS: project) id"),
    name: z.string(),
    description: z.string(),
    control_tag: z.string().describe("Control tag type, e.g. Choices, RectangleLabels"),
    control_name: z.string().describe("The control (`from_name`) whose results are compared"),
    is_categorical: z.boolean(),
    values_enum: z.array(z.string()).nullable().describe("Label values of a categorical control"),
    extraction_method: z.string().describe("Always `control`"),
    extraction_method_params: z.object({ control_name: z.string() }),
    metric_type: z.string().describe("Metric id of the agreement engine, e.g. exact_matching_choices"),
    metric_params: z.record(z.string(), z.unknown()),
    overall_weight: z.number().describe("Weight of the dimension in the overall task score"),
    label_weights: z.record(z.string(), z.number()),
    is_active: z.boolean().describe("Whether the dimension takes part in the overall agreement"),
    is_user_defined: z.boolean().describe("false: synced from the labeling config"),
    order: z.number(),
    allowed_metrics_with_params: z.record(z.string(), z.object({ is_default: z.boolean() })),
    created_by: z.number().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Dimension");

const DimensionPatch = z.strictObject({
  name: z.string().trim().min(1).max(255).optional(),
  description: z.string().max(2000).optional(),
  extraction_method: z
    .literal("control")
    .optional()
    .describe("How values are read: the results of one control"),
  extraction_method_params: z
    .strictObject({
      control_name: z.string().min(1).max(255).optional().describe("Control to compare (default: `name`)"),
    })
    .optional(),
  metric_type: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe("Metric id; default: the control's default metric"),
  metric_params: z.record(z.string(), z.unknown()).optional(),
  overall_weight: z.number().min(0).max(1_000_000).optional(),
  label_weights: z.record(z.string(), z.number().min(0).max(1_000_000)).nullable().optional(),
  is_active: z.boolean().optional(),
  order: z.number().int().min(0).max(1_000_000).optional(),
});
const DimensionCreate = DimensionPatch.extend({ name: z.string().trim().min(1).max(255) });
const DimensionUpdate = DimensionPatch.refine(
  (v) => Object.keys(v).length > 0,
  "At least one field is required",
);

const DimensionQuery = PageQuery.extend({
  is_active: z
    .enum(["true", "false"])
    .optional()
    .describe("Only active (true) or inactive (false) dimensions"),
  ordering: z.enum(["order", "-order", "name", "-name", "id", "-id"]).optional(),
  agreement_methodology: z
    .enum(["pairwise", "consensus"])
    .optional()
    .describe("Accepted for LS compatibility; LabelFleet offers the same metrics for both"),
});

const tags = ["Agreement"];

const routes = {
  list: defineRoute({
    method: "get",
    path: "/api/projects/{project_pk}/dimensions/",
    operationId: "listDimensions",
    summary: "List a project's agreement dimensions",
    tags,
    request: { params: ProjectParams, query: DimensionQuery },
    responses: { 200: json(listOf(Dimension), "Dimensions"), ...errors(404) },
  }),
  create: defineRoute({
    method: "post",
    path: "/api/projects/{project_pk}/dimensions/",
    operationId: "createDimension",
    summary: "Create a user-defined agreement dimension on a control of the labeling config",
    tags,
    request: { params: ProjectParams, ...jsonBody(DimensionCreate) },
    responses: { 201: json(Dimension, "Created"), ...errors(403, 404, 409) },
  }),
  get: defineRoute({
    method: "get",
    path: "/api/projects/{project_pk}/dimensions/{id}/",
    operationId: "getDimension",
    summary: "Get an agreement dimension",
    tags,
    request: { params: DimensionParams },
    responses: { 200: json(Dimension, "The dimension"), ...errors(404) },
  }),
  update: defineRoute({
    method: "patch",
    path: "/api/projects/{project_pk}/dimensions/{id}/",
    operationId: "updateDimension",
    summary: "Update an agreement dimension (metric, params, weights, active flag, ...)",
    tags,
    request: { params: DimensionParams, ...jsonBody(DimensionUpdate) },
    responses: { 200: json(Dimension, "Updated"), ...errors(403, 404, 409) },
  }),
  remove: defineRoute({
    method: "delete",
    path: "/api/projects/{project_pk}/dimensions/{id}/",
    operationId: "deleteDimension",
    summary: "Delete a user-defined agreement dimension (409 for system dimensions)",
    tags,
    request: { params: DimensionParams },
    responses: { 200: json(SuccessBody, "Deleted"), ...errors(403, 404, 409) },
  }),
};

export function registerAgreementDimensionRoutes(app: ApiApp, { agreement }: Services) {
  app.openapi(routes.list, async (c) => {
    const query = c.req.valid("query");
    const result = await agreement.dimensions.list(
      principalOf(c).organizationId,
      c.req.valid("param").project_pk,
      {
        isActive: query.is_active === undefined ? undefined : query.is_active === "true",
        ordering: query.ordering,
      },
      pageOf(query),
    );
    return c.json(presentList(c, query, result), 200);
  });
  app.openapi(routes.create, async (c) => {
    const { organizationId, memberId } = principalOf(c);
    return c.json(
      await agreement.dimensions.create(
        organizationId,
        c.req.valid("param").project_pk,
        memberId,
        c.req.valid("json"),
      ),
      201,
    );
  });
  app.openapi(routes.get, async (c) => {
    const { project_pk, id } = c.req.valid("param");
    return c.json(await agreement.dimensions.get(principalOf(c).organizationId, project_pk, id), 200);
  });
  app.openapi(routes.update, async (c) => {
    const { project_pk, id } = c.req.valid("param");
    return c.json(
      await agreement.dimensions.update(principalOf(c).organizationId, project_pk, id, c.req.valid("json")),
      200,
    );
  });
  app.openapi(routes.remove, async (c) => {
    const { project_pk, id } = c.req.valid("param");
    await agreement.dimensions.remove(principalOf(c).organizationId, project_pk, id);
    return c.json({ success: true as const }, 200);
  });
}
