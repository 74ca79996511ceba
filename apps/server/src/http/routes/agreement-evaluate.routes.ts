import {
  EvaluateAgreementRequest,
  EvaluateAgreementResponse,
  evaluateFromRequest,
} from "../../modules/agreement/evaluate.js";
import type { Services } from "../../services.js";
import type { ApiApp } from "../context.js";
import { defineRoute, errors, json, jsonBody } from "../openapi.js";

const evaluateRoute = defineRoute({
  method: "post",
  path: "/api/agreement/evaluate",
  operationId: "evaluateAgreement",
  summary: "Compute pairwise agreement of participants' results without storing anything",
  tags: ["Agreement"],
  request: jsonBody(EvaluateAgreementRequest),
  responses: { 200: json(EvaluateAgreementResponse, "Matrices and task agreement"), ...errors() },
});

/** The pure agreement engine over HTTP; `labelfleet agreement evaluate` is the same on stdin. */
export function registerAgreementEvaluateRoutes(app: ApiApp, _services: Services) {
  app.openapi(evaluateRoute, (c) => c.json(evaluateFromRequest(c.req.valid("json")), 200));
}
