import { z } from "@hono/zod-openapi";
import type { Services } from "../../services.js";
import type { ApiApp } from "../context.js";
import { defineRoute, errors, json } from "../openapi.js";

const TraefikConfig = z
  .object({
    http: z.object({
      routers: z.record(
        z.string(),
        z.object({
          rule: z.string(),
          service: z.string(),
          entryPoints: z.array(z.string()),
          tls: z.object({ certResolver: z.string() }).optional(),
        }),
      ),
      services: z.record(
        z.string(),
        z.object({
          loadBalancer: z.object({
            servers: z.array(z.object({ url: z.string() })),
            passHostHeader: z.boolean(),
          }),
        }),
      ),
    }),
  })
  .openapi("TraefikDynamicConfig");

const route = defineRoute({
  method: "get",
  path: "/api/traefik/config",
  operationId: "getTraefikConfig",
  summary: "Traefik HTTP-provider dynamic configuration: a router per running annotator instance",
  tags: ["Routing"],
  security: [],
  request: {
    headers: z.object({ "x-traefik-token": z.string().optional().describe("TRAEFIK_PROVIDER_TOKEN") }),
    query: z.object({
      token: z.string().optional().describe("TRAEFIK_PROVIDER_TOKEN, when headers cannot be set"),
    }),
  },
  responses: { 200: json(TraefikConfig, "Dynamic configuration"), ...errors() },
});

export function registerTraefikRoutes(app: ApiApp, { routing }: Services) {
  app.openapi(route, async (c) => {
    const token = c.req.valid("header")["x-traefik-token"] ?? c.req.valid("query").token;
    return c.json(await routing.traefikConfig(token), 200);
  });
}
