import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { Services } from "../../services.js";
import type { ApiApp } from "../context.js";
import { defineRoute, json } from "../openapi.js";

export const FEATURES = [
  "container-orchestration",
  "workflow-chaining",
  "gold-standard-quality",
  "rejection-routing",
  "bulk-operations",
  "assignment-tracking",
  "event-audit-log",
  "system-settings",
  "api-tokens",
  "openapi",
];

const Health = z.object({ status: z.enum(["ok", "error"]), database: z.enum(["connected", "unreachable"]) });

const healthRoute = defineRoute({
  method: "get",
  path: "/api/health",
  operationId: "getHealth",
  summary: "Liveness and database reachability (no auth)",
  tags: ["System"],
  responses: { 200: json(Health, "Healthy"), 503: json(Health, "The database is unreachable") },
});

const versionRoute = defineRoute({
  method: "get",
  path: "/api/version",
  operationId: "getVersion",
  summary: "Version, API version, features and Node version (no auth)",
  tags: ["System"],
  responses: {
    200: json(
      z.object({
        version: z.string(),
        apiVersion: z.string(),
        features: z.array(z.string()),
        node: z.string(),
      }),
      "Version information",
    ),
  },
});

export function registerSystemRoutes(app: ApiApp, { database, version }: Services) {
  app.openapi(healthRoute, async (c) => {
    try {
      await Promise.race([
        database.db.execute(sql`select 1`),
        new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 3000).unref()),
      ]);
      return c.json({ status: "ok" as const, database: "connected" as const }, 200);
    } catch {
      return c.json({ status: "error" as const, database: "unreachable" as const }, 503);
    }
  });

  app.openapi(versionRoute, (c) =>
    c.json({ version, apiVersion: "v1", features: FEATURES, node: process.version }, 200),
  );
}
