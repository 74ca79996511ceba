import path from "node:path";
import type { z } from "zod";
import { configSections } from "./sections.js";

type Sections = typeof configSections;
export type RawConfig = { [K in keyof Sections]: z.output<Sections[K]> };

export interface AppConfig {
  port: number;
  host: string;
  publicUrl: string | undefined;
  isProduction: boolean;
  nodeEnv: "development" | "production" | "test";
  dataDir: string;
  database: { url: string | undefined; poolSize: number };
  auth: {
    secret: string | undefined;
    adminEmail: string;
    adminPassword: string;
    sessionMaxAgeSeconds: number;
    secureCookies: boolean;
    loginMaxAttempts: number;
    loginWindowSeconds: number;
    trustProxy: boolean;
  };
  jobs: { concurrency: number; pollIntervalMs: number };
  logLevel: RawConfig["logging"]["LOG_LEVEL"];
  /** The stdio MCP server's default API token (http/mcp, cli/mcp.command.ts). */
  mcp: { token: string | undefined };
}

/** Raised when the environment is invalid; its message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Parses the environment once at boot; nothing else reads process.env. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const problems: string[] = [];
  const raw: Partial<Record<keyof Sections, unknown>> = {};
  for (const [name, schema] of Object.entries(configSections) as [
    keyof Sections,
    Sections[keyof Sections],
  ][]) {
    const parsed = schema.safeParse(env);
    if (parsed.success) raw[name] = parsed.data;
    else for (const issue of parsed.error.issues) problems.push(`${issue.path.join(".")}: ${issue.message}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const { server, database, auth, jobs, logging } = raw as RawConfig;
  if (server.NODE_ENV === "production" && auth.ADMIN_PASSWORD === "admin") {
    throw new ConfigError([
      "ADMIN_PASSWORD: the default password `admin` is refused when NODE_ENV=production",
    ]);
  }
  return {
    port: server.PORT,
    host: server.HOST,
    publicUrl: server.PUBLIC_URL,
    isProduction: server.NODE_ENV === "production",
    nodeEnv: server.NODE_ENV,
    dataDir: path.resolve(server.LABELFLEET_DATA_DIR),
    database: { url: database.DATABASE_URL, poolSize: database.DATABASE_POOL_SIZE },
    auth: {
      secret: auth.AUTH_SECRET,
      adminEmail: auth.ADMIN_EMAIL,
      adminPassword: auth.ADMIN_PASSWORD,
      sessionMaxAgeSeconds: auth.SESSION_MAX_AGE_SECONDS,
      secureCookies: auth.SECURE_COOKIES,
      loginMaxAttempts: auth.LOGIN_MAX_ATTEMPTS,
      loginWindowSeconds: auth.LOGIN_WINDOW_SECONDS,
      trustProxy: auth.TRUST_PROXY,
    },
    jobs: { concurrency: jobs.WORKER_CONCURRENCY, pollIntervalMs: jobs.JOB_POLL_INTERVAL_MS },
    logLevel: logging.LOG_LEVEL,
    mcp: { token: (raw as RawConfig).mcp.LABELFLEET_TOKEN },
  };
}
