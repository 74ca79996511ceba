import { z } from "@hono/zod-openapi";
import type { Services } from "../../services.js";
import { type ApiApp, principalOf } from "../context.js";
import { defineRoute, errors, IdParams, json, jsonBody } from "../openapi.js";
import { listOf, PageQuery, pageOf, presentList } from "../pagination.js";

const ModelVersion = z.string().trim().min(1).max(200);

const PredictionEntry = z.object({
  item_id: z.number().int().positive().describe("An item of the workflow"),
  model_version: ModelVersion.optional().describe("Default: the top-level model_version"),
  result: z.array(z.record(z.string(), z.unknown())).max(10_000).describe("LS `result` list"),
  score: z.number().nullish().describe("The model's own confidence, stored as given"),
});

const PredictionBatch = z.object({
  model_version: ModelVersion.optional().describe("Model version of every entry that names none"),
  predictions: z.array(PredictionEntry).min(1).max(100).describe("1-100 predictions"),
});

const Prediction = z
  .object({
    id: z.number(),
    item_id: z.number(),
    model_version: z.string(),
    result: z.array(z.unknown()),
    score: z.number().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Prediction");

const tags = ["Agreement"];

const routes = {
  upsert: defineRoute({
    method: "post",
    path: "/api/workflows/{id}/predictions",
    operationId: "upsertPredictions",
    summary:
      "Store model predictions for items (one per item and model version; agreement participants model:<version>)",
    tags,
    request: { params: IdParams, ...jsonBody(PredictionBatch) },
    responses: {
      201: json(
        z.object({ created: z.number(), updated: z.number(), predictions: z.array(Prediction) }),
        "Stored; the items' agreement matrices are recomputed",
      ),
      ...errors(403, 404),
    },
  }),
  list: defineRoute({
    method: "get",
    path: "/api/workflows/{id}/predictions",
    operationId: "listPredictions",
    summary: "List a workflow's predictions",
    tags,
    request: {
      params: IdParams,
      query: PageQuery.extend({
        item_id: z.coerce.number().int().positive().optional(),
        model_version: ModelVersion.optional(),
      }),
    },
    responses: { 200: json(listOf(Prediction), "Predictions"), ...errors(404) },
  }),
};

export function registerPredictionRoutes(app: ApiApp, { agreement }: Services) {
  app.openapi(routes.upsert, async (c) => {
    const body = c.req.valid("json");
    return c.json(
      await agreement.predictions.upsert(
        principalOf(c).organizationId,
        c.req.valid("param").id,
        body.model_version,
        body.predictions,
      ),
      201,
    );
  });
  app.openapi(routes.list, async (c) => {
    const query = c.req.valid("query");
    const result = await agreement.predictions.list(
      principalOf(c).organizationId,
      c.req.valid("param").id,
      { itemId: query.item_id, modelVersion: query.model_version },
      pageOf(query),
    );
    return c.json(presentList(c, query, result), 200);
  });
}
