import type { Services } from "../../services.js";
import type { ApiApp } from "../context.js";
import { registerMcpRoutes } from "../mcp/mcp.routes.js";
import { registerAgreementBackfillRoutes } from "./agreement-backfill.routes.js";
import { registerAgreementDimensionRoutes } from "./agreement-dimensions.routes.js";
import { registerAgreementEvaluateRoutes } from "./agreement-evaluate.routes.js";
import { registerAgreementMatrixRoutes } from "./agreement-matrix.routes.js";
import { registerAnnotatorRoutes } from "./annotators.routes.js";
import { registerAssignmentRoutes } from "./assignments.routes.js";
import { registerAuthRoutes } from "./auth.routes.js";
import { registerEventRoutes } from "./events.routes.js";
import { registerFsmRoutes } from "./fsm.routes.js";
import { registerGoldTaskRoutes } from "./gold-tasks.routes.js";
import { registerLabelingConfigRoutes } from "./labeling-configs.routes.js";
import { registerMetricsRoutes } from "./metrics.routes.js";
import { registerMonitoringRoutes } from "./monitoring.routes.js";
import { registerPredictionRoutes } from "./predictions.routes.js";
import { registerQualityRoutes } from "./quality.routes.js";
import { registerReconcileRoutes } from "./reconcile.routes.js";
import { registerRejectionRoutes } from "./rejections.routes.js";
import { registerRoleRoutes } from "./roles.routes.js";
import { registerSettingsRoutes } from "./settings.routes.js";
import { registerStorageRoutes } from "./storage.routes.js";
import { registerSystemRoutes } from "./system.routes.js";
import { registerTokenRoutes } from "./tokens.routes.js";
import { registerTraefikRoutes } from "./traefik.routes.js";
import { registerWebhookRoutes } from "./webhook.routes.js";
import { registerWorkflowRoutes } from "./workflows.routes.js";

/** Every API route module; a new resource adds one line here (and appears in OpenAPI and MCP). */
export const ROUTE_MODULES: ((app: ApiApp, services: Services) => void)[] = [
  registerSystemRoutes,
  registerAuthRoutes,
  registerTokenRoutes,
  registerRoleRoutes,
  registerLabelingConfigRoutes,
  registerSettingsRoutes,
  registerAgreementEvaluateRoutes,
  registerAgreementDimensionRoutes,
  registerAgreementMatrixRoutes,
  registerAgreementBackfillRoutes,
  registerPredictionRoutes,
  registerWebhookRoutes,
  registerAnnotatorRoutes,
  registerTraefikRoutes,
  registerWorkflowRoutes,
  registerStorageRoutes,
  registerAssignmentRoutes,
  registerFsmRoutes,
  registerReconcileRoutes,
  registerRejectionRoutes,
  registerEventRoutes,
  registerGoldTaskRoutes,
  registerQualityRoutes,
  registerMonitoringRoutes,
  registerMetricsRoutes,
  registerMcpRoutes,
];

export function registerApiRoutes(app: ApiApp, services: Services) {
  for (const register of ROUTE_MODULES) register(app, services);
}
