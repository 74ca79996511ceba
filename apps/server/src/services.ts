import type { AppConfig } from "./config/config.js";
import type { Database } from "./db/client.js";
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
  return {
    ...deps,
    db,
    secrets: createSecretBox(secret),
    auth: { tokens, service: createAuthService({ db, tokens, limiter }) },
    apiTokens: createApiTokenService(db),
    organizations: createOrganizationService(db),
    roles: createRoleService(db),
    labelingConfigs: createLabelingConfigService(db),
    settings: createSettingsService(db),
  };
}
export type Services = ReturnType<typeof createServices>;
