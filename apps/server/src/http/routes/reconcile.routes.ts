import { z } from "@hono/zod-openapi";
import type { Services } from "../../services.js";
import { type ApiApp, requireRole } from "../context.js";
import { defineRoute, errors, json } from "../openapi.js";

const ReconcileResult = z
  .object({
    reconciled: z.number().describe("In-progress assignments compared with their LS project"),
    completed: z.number().describe("Assignments this run completed"),
    errors: z
      .array(
        z.object({
          annotatorId: z.number(),
          assignmentId: z.number().nullable(),
          instanceUrl: z.string().nullable(),
          error: z.string(),
        }),
      )
      .describe("One entry per instance or assignment that could not be compared; the run goes on"),
  })
  .openapi("ReconcileResult");

const ReconcileInput = z
  .object({
    annotatorId: z.number().int().positive().optional().describe("Only this annotator's instance"),
  })
  .strict()
  .openapi("ReconcileInput");

const reconcileRoute = defineRoute({
  method: "post",
  path: "/api/reconcile",
  operationId: "reconcile",
  summary: "Force-sync with the annotators' Label Studio instances (one run at a time; 409 while one runs)",
  tags: ["Reconcile"],
  request: {
    body: {
      content: { "application/json": { schema: ReconcileInput } },
      required: false,
      description: "Optional; without a body every in-progress assignment of the organization is compared",
    },
  },
  responses: {
    200: json(ReconcileResult, "What the run compared, completed and could not reach"),
    ...errors(403, 409),
  },
});

export function registerReconcileRoutes(app: ApiApp, { reconcile }: Services) {
  app.openapi(reconcileRoute, async (c) => {
    const principal = requireRole(c, "manager");
    // The body is optional: a bare POST (the spec's form) has none to validate.
    const body = c.req.header("content-type")?.includes("application/json") ? c.req.valid("json") : {};
    return c.json(await reconcile.run(principal.organizationId, body?.annotatorId ?? null), 200);
  });
}
