import type { AppConfig } from "./config/config.js";
import type { Database, Db } from "./db/client.js";
import { createJobCatalog } from "./jobs/catalog.js";
import { createJobQueue, type SendOptions } from "./jobs/queue.js";
import { createScheduler } from "./jobs/schedules.js";
import { createWorker } from "./jobs/worker.js";
import { createSecretBox } from "./lib/crypto.js";
import type { Logger } from "./lib/logger.js";
import { createMetrics } from "./lib/metrics.js";
import { createAgreementModule } from "./modules/agreement/agreement.module.js";
import { createAnnotatorModule } from "./modules/annotators/annotators.module.js";
import { createAssignmentModule } from "./modules/assignments/assignments.module.js";
import { REMOVE_LS_TASKS_JOB, returnItems } from "./modules/assignments/delivery.js";
import { createApiTokenService } from "./modules/auth/api-tokens.service.js";
import { createAuthService } from "./modules/auth/auth.service.js";
import { createRateLimiter } from "./modules/auth/rate-limit.js";
import { createSessionTokens } from "./modules/auth/session-token.js";
import { createCompletionService } from "./modules/completion/completion.service.js";
import { createEventsRepo } from "./modules/events/events.repo.js";
import { createFsmModule } from "./modules/fsm/fsm.module.js";
import { createGoldScoring } from "./modules/gold/gold-scoring.js";
import { createGoldTaskService } from "./modules/gold/gold-tasks.service.js";
import { createIngestionService } from "./modules/ingestion/ingestion.service.js";
import { createItemSyncService } from "./modules/items/item-sync.service.js";
import { createLabelingConfigService } from "./modules/labeling-configs/labeling-configs.service.js";
import { createMonitoringService } from "./modules/monitoring/monitoring.service.js";
import { createOrganizationService } from "./modules/organizations/organizations.service.js";
import { createQualityService } from "./modules/quality/quality.service.js";
import { createQualityGate } from "./modules/quality/quality-gate.js";
import { createReconcileService, RECONCILE_JOB } from "./modules/reconcile/reconcile.service.js";
import { createRejectionsRepo } from "./modules/review/rejections.repo.js";
import { createReviewService } from "./modules/review/review.service.js";
import { createRoleService } from "./modules/roles/roles.service.js";
import { createSettingsService } from "./modules/settings/settings.service.js";
import { createWorkflowService } from "./modules/workflows/workflows.service.js";
import { createRoutingService } from "./routing/routing.service.js";
import { createObjectStorage } from "./storage/create-storage.js";

export interface ServiceDeps {
  config: AppConfig;
  database: Database;
  log: Logger;
  /** The server secret (AUTH_SECRET or the generated one). */
  secret: string;
  version: string;
}

/** Composition of every service; built once per process (and once per test app). */
export function createServices(deps: ServiceDeps) {
  const { config, database, secret } = deps;
  const db = database.db;
  const tokens = createSessionTokens(secret, config.auth.sessionMaxAgeSeconds);
  const limiter = createRateLimiter(db, config.auth.loginMaxAttempts, config.auth.loginWindowSeconds);
  const queue = createJobQueue(db);
  const catalog = createJobCatalog();
  const worker = createWorker({
    queue,
    catalog,
    log: deps.log,
    concurrency: config.jobs.concurrency,
    pollIntervalMs: config.jobs.pollIntervalMs,
  });
  const jobs = {
    queue,
    catalog,
    worker,
    /** Enqueues a job (inside `tx` when given) and wakes this process's worker. */
    async send(name: string, payload: unknown, options?: SendOptions, tx?: Db) {
      const id = await queue.send(name, payload, options, tx);
      worker.kick();
      return id;
    },
    kick: () => worker.kick(),
  };
  const secrets = createSecretBox(secret);
  const metrics = createMetrics();
  const ingestion = createIngestionService({
    db,
    secrets,
    metrics,
    catalog,
    send: jobs.send,
    kick: () => worker.kick(),
    batchMax: config.ingestion.webhookBatchMax,
    batchLanes: config.ingestion.webhookBatchLanes,
  });
  const objectStorage = createObjectStorage({ config, secret });
  const itemSync = createItemSyncService({
    db,
    storage: objectStorage.storage,
    log: deps.log,
    jobs,
    pageSize: config.storage.syncPageSize,
  });
  catalog.register(itemSync.job());
  const workflows = createWorkflowService({ db, itemSync, log: deps.log });
  const assignments = createAssignmentModule({
    db,
    config,
    jobs,
    secrets,
    log: deps.log,
    storage: objectStorage.storage,
  });
  // Dimensions follow workflows' labeling configs; matrices follow annotation and prediction changes.
  const agreement = createAgreementModule({ db, jobs, log: deps.log, ingestion, workflows });
  const fsm = createFsmModule({ db, jobs });
  // A manual `cancel` (POST /api/fsm/.../transition/) does what DELETE /api/assignments/:id does.
  fsm.onTransition("assignment", "cancel", async (tx, event) => {
    await returnItems(tx, event.organizationId, event.entityId, event.reason ?? "assignment cancelled");
    await jobs.send(REMOVE_LS_TASKS_JOB, { assignmentId: event.entityId }, {}, tx);
  });
  const schedules = createScheduler({ send: jobs.send, log: deps.log });
  const fleet = createAnnotatorModule({
    db,
    config,
    log: deps.log,
    secrets,
    serverSecret: secret,
    jobs,
    scheduler: schedules,
  });
  // An annotator that becomes active gets its first batch (DESIGN §4 step 2).
  fleet.lifecycle.onActive(async ({ organizationId, annotatorId }) => {
    await assignments.enqueueAutoAssign(organizationId, annotatorId);
  });
  // Ingestion follow-up (DESIGN §4 steps 4–5): item bookkeeping, then review decisions; completion,
  // export and chaining run in `assignment.complete`; reconcile repairs what webhooks missed.
  const completion = createCompletionService({
    db,
    storage: objectStorage.storage,
    catalog,
    enqueueAutoAssign: assignments.enqueueAutoAssign,
    log: deps.log,
  });
  const review = createReviewService({
    db,
    storage: objectStorage.storage,
    enqueueAutoAssign: assignments.enqueueAutoAssign,
    send: jobs.send,
    log: deps.log,
  });
  ingestion.onAnnotationChanged(completion.onAnnotationChanged);
  ingestion.onAnnotationChanged(review.onAnnotationChanged);
  const reconcile = createReconcileService({
    database,
    db,
    secrets,
    ingestion,
    completion,
    catalog,
    metrics,
    log: deps.log,
    instanceTimeoutMs: config.reconcile.instanceTimeoutMs,
  });
  schedules.every(RECONCILE_JOB, config.reconcile.intervalMs);
  // Gold scoring after every stored annotation change; a new score runs the workflow's quality gate.
  const settings = createSettingsService(db);
  const qualityGate = createQualityGate({ db, fsm, settings });
  const goldScoring = createGoldScoring({
    db,
    onScored: async ({ organizationId, annotatorId, workflowId }) => {
      await qualityGate.check(organizationId, annotatorId, workflowId);
    },
  });
  ingestion.onAnnotationChanged(async (event) => {
    await goldScoring.handle(event);
  });
  return {
    ...deps,
    db,
    secrets,
    jobs,
    metrics,
    ingestion,
    completion,
    review,
    reconcile,
    rejections: createRejectionsRepo(db),
    events: createEventsRepo(db),
    auth: { tokens, service: createAuthService({ db, tokens, limiter }) },
    apiTokens: createApiTokenService(db),
    organizations: createOrganizationService(db),
    roles: createRoleService(db),
    labelingConfigs: createLabelingConfigService(db),
    settings,
    goldTasks: createGoldTaskService(db),
    goldScoring,
    quality: { ...createQualityService({ db, settings }), gate: qualityGate },
    monitoring: createMonitoringService({ db }),
    assignments,
    fsm,
    agreement,
    storage: objectStorage.storage,
    signedFiles: objectStorage.files,
    itemSync,
    workflows,
    annotators: fleet.records,
    fleet,
    schedules,
    routing: createRoutingService({ db, config }),
  };
}
export type Services = ReturnType<typeof createServices>;
