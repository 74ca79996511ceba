import { z } from "zod";

/** Env values arrive as strings; empty strings mean "unset". */
const optionalString = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === "" ? undefined : v));
const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", ""])
    .optional()
    .transform((v) => (v === undefined || v === "" ? fallback : v === "true" || v === "1"));
const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * One Zod schema per section, keyed by the environment variable. Every variable is described:
 * `docs/configuration.md` is generated from these (npm run docs:config) and a test keeps it in sync.
 */
export const configSections = {
  server: z.object({
    PORT: int(3000, 0, 65_535).describe("HTTP port of the API, UI and MCP server (0 picks a free port)."),
    HOST: z.string().default("0.0.0.0").describe("Interface to listen on."),
    PUBLIC_URL: optionalString().describe(
      "URL at which LabelFleet is reached by browsers and LS instances (webhooks). Default: http://localhost:<PORT>.",
    ),
    NODE_ENV: z
      .enum(["development", "production", "test"])
      .default("development")
      .describe("`production` refuses the default admin password and hides stack traces."),
    LABELFLEET_DATA_DIR: z
      .string()
      .default("./data")
      .describe("Data folder: embedded database, generated secrets, local object storage, instance data."),
  }),
  database: z.object({
    DATABASE_URL: optionalString().describe(
      "PostgreSQL connection string. Unset: embedded PGlite in <data folder>/pglite (single-user installs and demos).",
    ),
    DATABASE_POOL_SIZE: int(10, 1, 500).describe("Maximum PostgreSQL connections per process."),
  }),
  auth: z.object({
    AUTH_SECRET: optionalString()
      .refine((v) => v === undefined || v.length >= 32, "must be at least 32 characters")
      .describe(
        "Key that signs sessions and encrypts stored secrets. Unset: generated once into <data folder>/auth-secret.",
      ),
    ADMIN_EMAIL: z
      .email()
      .default("admin@fleet.local")
      .describe("Email of the first admin, created when no member exists."),
    ADMIN_PASSWORD: z
      .string()
      .min(1)
      .default("admin")
      .describe("Password of the first admin. The default `admin` is refused when NODE_ENV=production."),
    SESSION_MAX_AGE_SECONDS: int(30 * 24 * 3600, 60, 365 * 24 * 3600).describe(
      "Lifetime of a session cookie.",
    ),
    SECURE_COOKIES: bool(false).describe("Mark session cookies Secure (set when served over HTTPS)."),
    LOGIN_MAX_ATTEMPTS: int(10, 1, 10_000).describe(
      "Failed sign-ins allowed per account and per client address within LOGIN_WINDOW_SECONDS.",
    ),
    LOGIN_WINDOW_SECONDS: int(900, 1, 86_400).describe("Window of the sign-in rate limit."),
    TRUST_PROXY: bool(false).describe(
      "Take the client address from X-Forwarded-For (behind a trusted proxy).",
    ),
  }),
  jobs: z.object({
    WORKER_CONCURRENCY: int(4, 1, 256).describe("Jobs one process runs at once (serve and worker roles)."),
    JOB_POLL_INTERVAL_MS: int(500, 10, 60_000).describe("How often an idle worker looks for due jobs."),
  }),
  mcp: z.object({
    LABELFLEET_TOKEN: optionalString().describe(
      "API token `labelfleet mcp` (MCP over stdio) acts with when `--token` is not given. The HTTP endpoint `/mcp` takes the token from each request's Authorization header instead.",
    ),
  }),
  logging: z.object({
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info")
      .describe("pino log level (JSON logs on stdout)."),
  }),
} as const;

export type ConfigSectionName = keyof typeof configSections;
