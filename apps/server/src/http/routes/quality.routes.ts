import { z } from "@hono/zod-openapi";
import { QualityGate } from "../../modules/quality/quality-gate.js";
import type { Services } from "../../services.js";
import { type ApiApp, principalOf, requireRole } from "../context.js";
import { defineRoute, errors, IdParams, json, jsonBody } from "../openapi.js";

/** ISO 8601 date-time query parameter (with offset or Z), parsed to a Date. */
export const DateTimeParam = z.iso
  .datetime({ offset: true })
  .transform((v) => new Date(v))
  .openapi({ type: "string", format: "date-time" });

const QualityQuery = z
  .object({
    workflowId: z.coerce.number().int().positive().optional().describe("Only this workflow"),
    from: DateTimeParam.optional().describe("Start of the time range (inclusive, ISO 8601)"),
    to: DateTimeParam.optional().describe("End of the time range (exclusive, ISO 8601)"),
    recentLimit: z.coerce
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe("Recent items listed (default 10)"),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: "from must be before to", path: ["from"] });

const Quality = z
  .object({
    overallAccuracy: z.number().nullable().describe("Mean gold score; null without evaluations"),
    accuracyThreshold: z.number().describe("Setting quality.accuracyThreshold (default 0.7)"),
    belowThresholdCount: z.number(),
    reworkRate: z.number().describe("Rejections / reviewed annotations"),
    annotatorScores: z.array(
      z.object({
        annotatorId: z.number(),
        annotatorName: z.string().nullable(),
        accuracy: z.number().nullable(),
        evaluationCount: z.number(),
        rejectionCount: z.number(),
        reviewedCount: z.number(),
        rejectionRate: z.number(),
      }),
    ),
    recentEvaluations: z.array(
      z.object({
        annotatorId: z.number(),
        annotatorName: z.string(),
        goldTaskName: z.string().nullable(),
        score: z.number(),
        evaluatedAt: z.string(),
      }),
    ),
    recentRejections: z.array(
      z.object({
        originalAnnotatorId: z.number().nullable(),
        originalAnnotatorName: z.string().nullable(),
        reviewerAnnotatorName: z.string().nullable(),
        imageKey: z.string().nullable(),
        reason: z.string().nullable(),
        actionTaken: z.string(),
        createdAt: z.string(),
      }),
    ),
  })
  .openapi("Quality");

const GateBody = z.object({ qualityGate: QualityGate.nullable() }).openapi("QualityGateSetting");

const tags = ["Quality"];

const routes = {
  quality: defineRoute({
    method: "get",
    path: "/api/quality",
    operationId: "getQuality",
    summary: "Quality metrics: gold accuracy, threshold, rejection and rework rates per annotator",
    tags,
    request: { query: QualityQuery },
    responses: { 200: json(Quality, "Quality metrics"), ...errors() },
  }),
  getGate: defineRoute({
    method: "get",
    path: "/api/workflows/{id}/quality-gate",
    operationId: "getWorkflowQualityGate",
    summary: "Get a workflow's quality gate and onboarding rule",
    tags,
    request: { params: IdParams },
    responses: { 200: json(GateBody, "The gate (null when none)"), ...errors(404) },
  }),
  setGate: defineRoute({
    method: "put",
    path: "/api/workflows/{id}/quality-gate",
    operationId: "setWorkflowQualityGate",
    summary: "Set (or clear with null) a workflow's quality gate and onboarding rule",
    tags,
    request: { params: IdParams, ...jsonBody(GateBody) },
    responses: { 200: json(GateBody, "The gate as stored"), ...errors(403, 404) },
  }),
};

export function registerQualityRoutes(app: ApiApp, { quality }: Services) {
  app.openapi(routes.quality, async (c) => {
    const { recentLimit, ...filters } = c.req.valid("query");
    return c.json(await quality.summary(principalOf(c).organizationId, filters, recentLimit), 200);
  });
  app.openapi(routes.getGate, async (c) =>
    c.json(
      { qualityGate: await quality.gate.get(principalOf(c).organizationId, c.req.valid("param").id) },
      200,
    ),
  );
  app.openapi(routes.setGate, async (c) => {
    const principal = requireRole(c, "manager");
    const { qualityGate } = c.req.valid("json");
    return c.json(
      { qualityGate: await quality.gate.set(principal.organizationId, c.req.valid("param").id, qualityGate) },
      200,
    );
  });
}
