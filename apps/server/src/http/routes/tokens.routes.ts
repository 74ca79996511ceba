import { z } from "@hono/zod-openapi";
import { MEMBER_ROLES } from "../../modules/auth/principal.js";
import type { Services } from "../../services.js";
import { type ApiApp, principalOf } from "../context.js";
import { defineRoute, errors, IdParams, json, jsonBody, SuccessBody, Timestamp } from "../openapi.js";
import { listOf, PageQuery, pageOf, presentList } from "../pagination.js";

const ApiToken = z
  .object({
    id: z.number(),
    name: z.string(),
    prefix: z.string().describe("First characters of the key"),
    role: z.enum(MEMBER_ROLES),
    memberId: z.number(),
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
    expiresAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
  })
  .openapi("ApiToken");

const tags = ["API tokens"];

const routes = {
  list: defineRoute({
    method: "get",
    path: "/api/tokens",
    operationId: "listApiTokens",
    summary: "List the organization's API tokens (never the keys)",
    tags,
    request: { query: PageQuery },
    responses: { 200: json(listOf(ApiToken), "Tokens"), ...errors() },
  }),
  create: defineRoute({
    method: "post",
    path: "/api/tokens",
    operationId: "createApiToken",
    summary: "Create an API token; the key is shown once",
    tags,
    request: jsonBody(
      z.object({
        name: z.string().trim().min(1).max(100),
        role: z
          .enum(MEMBER_ROLES)
          .optional()
          .describe("Member role of the token (default: the caller's; never higher)"),
        expiresInDays: z.number().int().min(1).max(3650).optional(),
      }),
    ),
    responses: {
      201: json(
        ApiToken.extend({ token: z.string().describe("The key: use as `Authorization: Token <key>`") }),
        "Created",
      ),
      ...errors(403),
    },
  }),
  revoke: defineRoute({
    method: "delete",
    path: "/api/tokens/{id}",
    operationId: "revokeApiToken",
    summary: "Revoke an API token",
    tags,
    request: { params: IdParams },
    responses: { 200: json(SuccessBody, "Revoked"), ...errors(403, 404) },
  }),
};

export function registerTokenRoutes(app: ApiApp, { apiTokens }: Services) {
  app.openapi(routes.list, async (c) => {
    const query = c.req.valid("query");
    return c.json(
      presentList(c, query, await apiTokens.list(principalOf(c).organizationId, pageOf(query))),
      200,
    );
  });
  app.openapi(routes.create, async (c) =>
    c.json(await apiTokens.create(principalOf(c), c.req.valid("json")), 201),
  );
  app.openapi(routes.revoke, async (c) => {
    await apiTokens.revoke(principalOf(c), c.req.valid("param").id);
    return c.json({ success: true as const }, 200);
  });
}
