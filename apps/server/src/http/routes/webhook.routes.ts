import { z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { ZodError } from "zod";
import { parseWebhookPayload } from "../../labelstudio/webhook-payload.js";
import { AppError } from "../../lib/app-error.js";
import { fastParseWebhook } from "../../modules/ingestion/webhook-fast-parse.js";
import type { Services } from "../../services.js";
import type { ApiApp } from "../context.js";
import { defineRoute, errors, json } from "../openapi.js";
import { registerWebhookFastPath } from "../webhook-fast-path.js";

/** LS sends whole task and project dumps; 5 MB is far above a real batch and bounds memory. */
export const WEBHOOK_MAX_BYTES = 5 * 1024 * 1024;

const WebhookHeaders = z.object({
  "x-annotator-id": z.string().regex(/^\d{1,10}$/, "must be the annotator's numeric id"),
  "x-webhook-secret": z.string().min(1).max(500),
});

const webhookRoute = defineRoute({
  method: "post",
  path: "/api/webhook",
  operationId: "receiveWebhook",
  summary: "Receive a Label Studio webhook (authenticated by X-Annotator-Id and X-Webhook-Secret)",
  tags: ["Webhook"],
  request: {
    headers: WebhookHeaders,
    body: {
      content: { "application/json": { schema: z.object({ action: z.string() }).passthrough() } },
      required: true,
    },
  },
  responses: {
    200: json(z.object({ ok: z.literal(true), outcome: z.string() }), "Stored (or a duplicate, ignored)"),
    ...errors(),
  },
});

export function registerWebhookRoutes(app: ApiApp, services: Services) {
  const { ingestion, metrics } = services;
  // The raw node:http handler that serve puts in front of Hono (same handler, same answers).
  registerWebhookFastPath(app, services);
  // Every 400 is counted here, whichever layer answered it (body limit, unparsable JSON, headers or
  // payload validation), so a malformed or oversized body is a counted 400, never a 500.
  app.use("/api/webhook", async (c, next) => {
    await next();
    if (c.res.status === 400) metrics.webhooksReceived.inc({ outcome: "malformed" });
  });
  app.use(
    "/api/webhook",
    bodyLimit({
      maxSize: WEBHOOK_MAX_BYTES,
      onError: (c) => c.json({ error: `Webhook body larger than ${WEBHOOK_MAX_BYTES} bytes` }, 400),
    }),
  );
  app.openapi(
    webhookRoute,
    async (c) => {
      const end = metrics.webhookLatency.startTimer();
      const headers = c.req.valid("header");
      try {
        // One validation pass: the hand check of the usual shapes, the full schema otherwise.
        const body = c.req.valid("json");
        const event = fastParseWebhook(body) ?? parseWebhookPayload(body);
        const result = await ingestion.ingestWebhook(
          Number(headers["x-annotator-id"]),
          headers["x-webhook-secret"],
          event,
        );
        return c.json(result, 200);
      } catch (error) {
        if (error instanceof ZodError) {
          throw new AppError("BAD_REQUEST", "Malformed webhook payload", error.issues);
        }
        if (error instanceof AppError && error.code === "UNAUTHORIZED")
          metrics.webhooksReceived.inc({ outcome: "unauthorized" });
        throw error;
      } finally {
        end();
      }
    },
    (result): undefined => {
      if (!result.success) {
        throw new AppError("BAD_REQUEST", "Malformed webhook request", result.error.issues);
      }
      return undefined;
    },
  );
}
