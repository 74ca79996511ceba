import { createInstanceBackend } from "../../backends/index.js";
import type { InstanceBackend } from "../../backends/instance-backend.js";
import type { AppConfig } from "../../config/config.js";
import type { Db } from "../../db/client.js";
import type { JobCatalog } from "../../jobs/catalog.js";
import type { SecretBox } from "../../lib/crypto.js";
import type { Logger } from "../../lib/logger.js";
import { registerAnnotatorJobs } from "./annotators.jobs.js";
import { createAnnotatorService } from "./annotators.service.js";
import {
  createHealthService,
  type HealthService,
  JOB_HEALTH_CHECK,
  probeLabelStudioHealth,
} from "./health.service.js";
import { createLifecycleService, type SendJob } from "./lifecycle.service.js";

export interface AnnotatorModuleDeps {
  db: Db;
  config: AppConfig;
  log: Logger;
  secrets: SecretBox;
  /** The server secret (derives the instances' LS passwords). */
  serverSecret: string;
  jobs: { send: SendJob; catalog: JobCatalog };
  scheduler: { every(name: string, intervalMs: number): void };
  /** Tests and benchmarks inject a backend; by default ORCHESTRATOR_BACKEND picks one. */
  backend?: InstanceBackend;
}

/**
 * Composes the annotators' services: records (CRUD, bulk), instance lifecycle, health and restart
 * policy, their jobs and the periodic health check. The backend's exit notices go to the health service.
 */
export function createAnnotatorModule(deps: AnnotatorModuleDeps) {
  const { db, config, log, secrets } = deps;
  let health: HealthService | undefined;
  const backend =
    deps.backend ??
    createInstanceBackend({
      config,
      log,
      onInstanceExit: ({ annotatorId, detail }) => {
        void health
          ?.instanceExited(annotatorId, detail)
          .catch((error: unknown) =>
            log.error({ annotatorId, err: error }, "could not record an instance exit"),
          );
      },
    });
  const sendJob: SendJob = (name, payload, options, tx) => deps.jobs.send(name, payload, options, tx);
  const lifecycle = createLifecycleService({
    db,
    backend,
    secrets,
    serverSecret: deps.serverSecret,
    config,
    log,
    sendJob,
  });
  health = createHealthService({
    db,
    backend,
    config,
    log,
    sendJob,
    lifecycle,
    probe: probeLabelStudioHealth,
  });
  registerAnnotatorJobs(deps.jobs.catalog, {
    lifecycle,
    health,
    startTimeoutMs: config.instances.startTimeoutMs,
  });
  deps.scheduler.every(JOB_HEALTH_CHECK, config.instances.healthCheckIntervalMs);
  return { records: createAnnotatorService({ db, secrets }), lifecycle, health, backend };
}
export type AnnotatorModule = ReturnType<typeof createAnnotatorModule>;
