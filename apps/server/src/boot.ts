import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { AppConfig } from "./config/config.js";
import { type Database, openDatabase } from "./db/client.js";
import { migrateDatabase } from "./db/migrate.js";
import { randomToken } from "./lib/crypto.js";
import type { Logger } from "./lib/logger.js";
import { createServices, type Services } from "./services.js";

const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};
export const VERSION = packageJson.version;

/** AUTH_SECRET, or a secret generated once into the data folder (0600) and reused on every start. */
export function resolveSecret(config: AppConfig): string {
  if (config.auth.secret) return config.auth.secret;
  const file = path.join(config.dataDir, "auth-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomToken(48);
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  return secret;
}

/** Opens the database (creating the data folder), migrates, and composes the services. */
export async function boot(config: AppConfig, log: Logger, options: { migrate?: boolean } = {}) {
  mkdirSync(config.dataDir, { recursive: true });
  const database: Database = await openDatabase({
    url: config.database.url,
    pgliteDir: path.join(config.dataDir, "pglite"),
    poolSize: config.database.poolSize,
  });
  if (options.migrate !== false) await migrateDatabase(database);
  const services: Services = createServices({
    config,
    database,
    log,
    secret: resolveSecret(config),
    version: VERSION,
  });
  return services;
}

/** First start: seed the first admin, and warn loudly while the default password is in use. */
export async function seedAdmin(services: Services) {
  const { adminEmail, adminPassword } = services.config.auth;
  const result = await services.organizations.bootstrapAdmin(adminEmail, adminPassword);
  if (result.seeded) {
    services.log.info({ email: adminEmail }, "created the first admin");
    if (result.usesDefaultPassword) {
      services.log.warn(
        `The first admin ${adminEmail} has the default password "admin": change it (POST /api/auth/password) or set ADMIN_PASSWORD before first start.`,
      );
    }
  }
}
