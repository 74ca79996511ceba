import type { Db } from "../../db/client.js";
import type { Logger } from "../../lib/logger.js";
import type { IngestionService } from "../ingestion/ingestion.service.js";
import type { WorkflowService } from "../workflows/workflows.service.js";
import { createAgreementBackfillService } from "./backfill.service.js";
import { syncDimensions } from "./dimensions.repo.js";
import { createDimensionService } from "./dimensions.service.js";
import { type AgreementJobs, createMatrixService } from "./matrices.service.js";
import { createMatrixViewService } from "./matrix-view.service.js";
import { createPredictionService } from "./predictions.service.js";
import { createSummaryService } from "./summary.service.js";

export interface AgreementModuleDeps {
  db: Db;
  jobs: AgreementJobs;
  log: Logger;
  ingestion: Pick<IngestionService, "onAnnotationChanged">;
  workflows: Pick<WorkflowService, "onLabelingConfigChanged">;
  /** Items per batch of backfills and workflow recomputes. */
  batchSize?: number;
}

/**
 * Agreement V2 over the fleet (DESIGN §6): dimensions that follow each workflow's labeling config,
 * per-task matrices kept current by jobs (annotation and prediction changes), the LS-compatible
 * matrix and backfill endpoints' services, and the workflow summary.
 */
export function createAgreementModule(deps: AgreementModuleDeps) {
  const { db, jobs, log } = deps;
  const matrices = createMatrixService({
    db,
    jobs,
    log,
    ...(deps.batchSize ? { batchSize: deps.batchSize } : {}),
  });
  const dimensions = createDimensionService({ db, matrices });

  // A stored annotation changed (created, updated, deleted): its task's matrices are stale.
  deps.ingestion.onAnnotationChanged(async (event) => {
    await matrices.enqueueItems(event.organizationId, [event.itemId]);
  });
  // A new or changed labeling config: dimensions follow it, and every matrix of the workflow is stale.
  deps.workflows.onLabelingConfigChanged(async (change) => {
    if (await syncDimensions(db, change.organizationId, change.workflowId)) {
      await matrices.invalidateWorkflow(change.organizationId, change.workflowId);
    }
  });

  return {
    matrices,
    dimensions,
    predictions: createPredictionService({ db, matrices }),
    matrixView: createMatrixViewService({ db, dimensions, matrices }),
    backfill: createAgreementBackfillService({ db, jobs, matrices }),
    summary: createSummaryService({ db, dimensions }),
  };
}
export type AgreementModule = ReturnType<typeof createAgreementModule>;
