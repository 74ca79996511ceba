import { z } from "@hono/zod-openapi";
import type { Services } from "../../services.js";
import { type ApiApp, principalOf } from "../context.js";
import { defineRoute, errors, json, jsonBody, Timestamp } from "../openapi.js";
import { listOf, PageQuery, pageOf, presentList } from "../pagination.js";

const KeyParams = z.object({
  key: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9._:-]+$/, "may contain letters, digits and . _ : -")
    .openapi({ param: { name: "key", in: "path" }, example: "quality.accuracyThreshold" }),
});

const Setting = z
  .object({
    id: z.number(),
    key: z.string(),
    value: z.unknown(),
    description: z.string().nullable(),
    updatedAt: Timestamp,
  })
  .openapi("Setting");

const SettingInput = z.object({
  value: z
    .unknown()
    .refine((v) => v !== undefined, "value is required")
    .describe("Any JSON value"),
  description: z.string().max(500).nullish(),
});

const tags = ["Settings"];

const routes = {
  list: defineRoute({
    method: "get",
    path: "/api/settings",
    operationId: "listSettings",
    summary: "List settings",
    tags,
    request: { query: PageQuery },
    responses: { 200: json(listOf(Setting), "Settings"), ...errors() },
  }),
  get: defineRoute({
    method: "get",
    path: "/api/settings/{key}",
    operationId: "getSetting",
    summary: "Get one setting",
    tags,
    request: { params: KeyParams },
    responses: { 200: json(Setting, "The setting"), ...errors(404) },
  }),
  put: defineRoute({
    method: "put",
    path: "/api/settings/{key}",
    operationId: "putSetting",
    summary: "Create or update a setting (any JSON value)",
    tags,
    request: { params: KeyParams, ...jsonBody(SettingInput) },
    responses: { 200: json(Setting, "Created or updated"), ...errors(403) },
  }),
};

export function registerSettingsRoutes(app: ApiApp, { settings }: Services) {
  app.openapi(routes.list, async (c) => {
    const query = c.req.valid("query");
    return c.json(
      presentList(c, query, await settings.list(principalOf(c).organizationId, pageOf(query))),
      200,
    );
  });
  app.openapi(routes.get, async (c) =>
    c.json(await settings.get(principalOf(c).organizationId, c.req.valid("param").key), 200),
  );
  app.openapi(routes.put, async (c) =>
    c.json(
      await settings.upsert(principalOf(c).organizationId, c.req.valid("param").key, c.req.valid("json")),
      200,
    ),
  );
}
