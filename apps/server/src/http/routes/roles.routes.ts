import { z } from "@hono/zod-openapi";
import type { Services } from "../../services.js";
import { type ApiApp, principalOf } from "../context.js";
import { defineRoute, errors, IdParams, json, jsonBody, SuccessBody } from "../openapi.js";
import { listOf, PageQuery, pageOf, presentList } from "../pagination.js";

const HEX_COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;

export const RoleInput = z.object({
  name: z.string().trim().min(1).max(100).describe("Role name (1-100 chars, unique)"),
  description: z.string().max(500).nullish().describe("Role description (max 500 chars)"),
  color: z
    .string()
    .regex(HEX_COLOR, "must be a hex colour such as #3B82F6")
    .nullish()
    .describe("Hex colour code, e.g. #3B82F6"),
});
const RoleUpdate = RoleInput.partial().refine(
  (v) => Object.keys(v).length > 0,
  "At least one field is required",
);

export const Role = z
  .object({
    id: z.number(),
    name: z.string(),
    description: z.string().nullable(),
    color: z.string().nullable(),
    createdAt: z.date().or(z.string()),
    updatedAt: z.date().or(z.string()),
  })
  .openapi("Role");

const tags = ["Roles"];

const routes = {
  list: defineRoute({
    method: "get",
    path: "/api/roles",
    operationId: "listRoles",
    summary: "List annotator roles",
    tags,
    request: { query: PageQuery },
    responses: { 200: json(listOf(Role), "Roles"), ...errors() },
  }),
  create: defineRoute({
    method: "post",
    path: "/api/roles",
    operationId: "createRole",
    summary: "Create an annotator role",
    tags,
    request: jsonBody(RoleInput),
    responses: { 201: json(Role, "Created"), ...errors(403, 409) },
  }),
  get: defineRoute({
    method: "get",
    path: "/api/roles/{id}",
    operationId: "getRole",
    summary: "Get an annotator role",
    tags,
    request: { params: IdParams },
    responses: { 200: json(Role, "The role"), ...errors(404) },
  }),
  update: defineRoute({
    method: "put",
    path: "/api/roles/{id}",
    operationId: "updateRole",
    summary: "Update an annotator role",
    tags,
    request: { params: IdParams, ...jsonBody(RoleUpdate) },
    responses: { 200: json(Role, "Updated"), ...errors(403, 404, 409) },
  }),
  remove: defineRoute({
    method: "delete",
    path: "/api/roles/{id}",
    operationId: "deleteRole",
    summary: "Delete an annotator role (409 while workflows target it)",
    tags,
    request: { params: IdParams },
    responses: { 200: json(SuccessBody, "Deleted"), ...errors(403, 404, 409) },
  }),
};

export function registerRoleRoutes(app: ApiApp, { roles }: Services) {
  app.openapi(routes.list, async (c) => {
    const query = c.req.valid("query");
    const result = await roles.list(principalOf(c).organizationId, pageOf(query));
    return c.json(presentList(c, query, result), 200);
  });
  app.openapi(routes.create, async (c) =>
    c.json(await roles.create(principalOf(c).organizationId, c.req.valid("json")), 201),
  );
  app.openapi(routes.get, async (c) =>
    c.json(await roles.get(principalOf(c).organizationId, c.req.valid("param").id), 200),
  );
  app.openapi(routes.update, async (c) =>
    c.json(
      await roles.update(principalOf(c).organizationId, c.req.valid("param").id, c.req.valid("json")),
      200,
    ),
  );
  app.openapi(routes.remove, async (c) => {
    await roles.remove(principalOf(c).organizationId, c.req.valid("param").id);
    return c.json({ success: true as const }, 200);
  });
}
