/** Everything a simulator instance needs to start; built from CLI args + env, or passed programmatically. */
export interface SimConfig {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** When the port is busy, try the next ones (LS does this unless `--debug`, §2.2). */
  portFallback: boolean;
  /** Bind address (`--internal-host`). */
  internalHost: string;
  /** Public origin (`--host` / `LABEL_STUDIO_HOST`); informational. */
  publicHost: string | null;
  /** Data directory; null keeps everything in memory only. */
  dataDir: string | null;
  /** State file (`--database`); defaults to `<dataDir>/ls-sim-state.json`. */
  databaseFile: string | null;
  username: string | null;
  password: string | null;
  userToken: string | null;
  enableLegacyApiToken: boolean;
  /** Django SECRET_KEY, also the JWT signing key; null = read/generate `<dataDir>/.env`. */
  secretKey: string | null;
  /** Per-webhook POST timeout (`WEBHOOK_TIMEOUT`, seconds in LS; milliseconds here). */
  webhookTimeoutMs: number;
  /** Value of `release` in `/api/version/`. */
  release: string;
  /** Lifetime of JWT access tokens obtained from a PAT. */
  accessTokenTtlSeconds: number;
  /** `start <project> --init`: project created at startup when missing. */
  initProject: { title: string; labelConfig: string | null; description: string } | null;
  /** State write debounce. */
  persistDebounceMs: number;
}

/** Defaults of a fresh simulator (legacy tokens off, as for new LS organizations since ~1.21). */
export function defaultConfig(): SimConfig {
  return {
    port: 8080,
    portFallback: true,
    internalHost: "127.0.0.1",
    publicHost: null,
    dataDir: null,
    databaseFile: null,
    username: null,
    password: null,
    userToken: null,
    enableLegacyApiToken: false,
    secretKey: null,
    webhookTimeoutMs: 1000,
    release: "1.22.0",
    accessTokenTtlSeconds: 300,
    initProject: null,
    persistDebounceMs: 50,
  };
}

/**
 * LS's `get_env(NAME)`: tries `LABEL_STUDIO_<NAME>`, then `HEARTEX_<NAME>`, then bare `<NAME>` (§1.3).
 * Empty strings count as unset.
 */
export function getEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  for (const key of [`LABEL_STUDIO_${name}`, `HEARTEX_${name}`, name]) {
    const value = env[key];
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

/** LS's `get_bool_env`. */
export function getBoolEnv(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = getEnv(env, name);
  if (value === undefined) return fallback;
  return ["1", "true", "yes", "y", "on"].includes(value.toLowerCase());
}

/** Port parsing as LS does it: an unparsable value (e.g. `tcp://10.0.0.1:8080`) falls back to 8080. */
export function parsePort(raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw)) return 8080;
  const n = Number(raw);
  return n <= 65535 ? n : 8080;
}

/** Applies the environment variables of contract §1.3 and §2.2 over the defaults. */
export function configFromEnv(env: NodeJS.ProcessEnv): SimConfig {
  const cfg = defaultConfig();
  cfg.port = parsePort(getEnv(env, "PORT"));
  cfg.publicHost = getEnv(env, "HOST") ?? null;
  cfg.dataDir = getEnv(env, "BASE_DATA_DIR") ?? null;
  cfg.databaseFile = getEnv(env, "DATABASE") ?? null;
  // USERNAME/PASSWORD only bootstrap a user when both are present (§1.3 step 2).
  const username = getEnv(env, "USERNAME");
  const password = getEnv(env, "PASSWORD");
  if (username && password) {
    cfg.username = username;
    cfg.password = password;
  }
  cfg.userToken = getEnv(env, "USER_TOKEN") ?? null;
  cfg.enableLegacyApiToken = getBoolEnv(env, "ENABLE_LEGACY_API_TOKEN", false);
  // SECRET_KEY is read by its bare name only (§1.3).
  cfg.secretKey = env.SECRET_KEY || null;
  const timeout = Number(getEnv(env, "WEBHOOK_TIMEOUT"));
  if (Number.isFinite(timeout) && timeout > 0) cfg.webhookTimeoutMs = Math.round(timeout * 1000);
  cfg.release = env.LS_SIM_RELEASE || cfg.release;
  const ttl = Number(env.LS_SIM_ACCESS_TOKEN_TTL);
  if (Number.isFinite(ttl) && ttl > 0) cfg.accessTokenTtlSeconds = ttl;
  return cfg;
}
