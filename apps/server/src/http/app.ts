import { swaggerUI } from "@hono/swagger-ui";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Services } from "../services.js";
import type { AppEnv } from "./context.js";
import { createErrorHandler } from "./error-handler.js";
import { authMiddleware } from "./middleware/auth.js";
import { requestId } from "./middleware/request-id.js";
import { registerApiRoutes } from "./routes/index.js";

/** Builds the HTTP app: middleware, every route, the OpenAPI document and the error mapping. */
export function createApp(services: Services) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return c.json({ error: "Validation failed", details: result.error.issues }, 400);
      }
    },
  });
  app.onError(createErrorHandler(services.log));
  app.notFound((c) => c.json({ error: `No route for ${c.req.method} ${c.req.path}` }, 404));
  app.use("*", requestId);
  app.use("/api/*", authMiddleware(services.auth.service));

  registerApiRoutes(app, services);

  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "LabelFleet API",
      version: services.version,
      description: "Control plane for annotation workforces on Label Studio Community.",
    },
    servers: [{ url: services.config.publicUrl ?? "/" }],
  });
  app.get("/api/docs", swaggerUI({ url: "/api/openapi.json" }));
  return app;
}
export type App = ReturnType<typeof createApp>;
