import type { AppConfig } from "./config/config.js";
import type { Database, Db } from "./db/client.js";
import { createJobCatalog } from "./jobs/catalog.js";
import { createJobQueue, type SendOptions } from "./jobs/queue.js";
import { createWorker } from "./jobs/worker.js";
import { createSecretBox } from "./lib/crypto.js";
import type { Logger } from "./lib/logger.js";
import { createApiTokenService } from "./modules/auth/api-tokens.service.js";
import { createAuthService } from "./modules/auth/auth.service.js";
import { createRateLimiter } from "./modules/auth/rate-limit.js";
import { createSessionTokens } from "./modules/auth/session-token.js";
import { createLabelingConfigService } from "./modules/labeling-configs/labeling-configs.service.js";
import { createOrganizationService } from "./modules/organizations/organizations.service.js";
import { createRoleService } from "./modules/roles/roles.service.js";
import { createSettingsService } from "./modules/settings/settings.service.js";

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
  };
  return {
    ...deps,
    db,
    secrets: createSecretBox(secret),
    jobs,
    auth: { tokens, service: createAuthService({ db, tokens, limiter }) },
    apiTokens: createApiTokenService(db),
    organizations: createOrganizationService(db),
    roles: createRoleService(db),
    labelingConfigs: createLabelingConfigService(db),
    settings: createSettingsService(db),
  };
}
export type Services = ReturnType<typeof createServices>;
