import type { AppConfig } from "../../config/config.js";
import type { Db } from "../../db/client.js";
import type { JobCatalog } from "../../jobs/catalog.js";
import type { SecretBox } from "../../lib/crypto.js";
import type { Logger } from "../../lib/logger.js";
import { createAssignmentRepo } from "./assignments.repo.js";
import { createAssignmentService, type JobSender } from "./assignments.service.js";
import { createDelivery, type DeliveryDeps } from "./delivery.js";

export interface AssignmentModuleDeps {
  db: Db;
  config: Pick<AppConfig, "publicUrl" | "port" | "storage" | "assignments">;
  jobs: JobSender & { catalog: JobCatalog };
  secrets: SecretBox;
  log: Logger;
  storage: DeliveryDeps["storage"];
}

/** LabelFleet's webhook endpoint as LS instances call it. */
export const webhookUrlOf = (config: Pick<AppConfig, "publicUrl" | "port">) =>
  `${(config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, "")}/api/webhook`;

/** Composes the assignment service, its reads and its delivery jobs (registered in the job catalog). */
export function createAssignmentModule(deps: AssignmentModuleDeps) {
  const { db, jobs, log } = deps;
  const delivery = createDelivery({
    db,
    log,
    secrets: deps.secrets,
    storage: deps.storage,
    webhookUrl: webhookUrlOf(deps.config),
    urlTtlSeconds: deps.config.storage.urlTtlSeconds,
    maxAttempts: deps.config.assignments.deliveryAttempts,
    backoffMs: deps.config.assignments.deliveryBackoffMs,
  });
  const service = createAssignmentService({ db, jobs, log });
  for (const job of delivery.jobs) jobs.catalog.register(job);
  for (const job of service.jobs) jobs.catalog.register(job);
  return { ...service, repo: createAssignmentRepo(db), delivery };
}
export type AssignmentModule = ReturnType<typeof createAssignmentModule>;
