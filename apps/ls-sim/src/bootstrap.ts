import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SimConfig } from "./config.js";
import { parseLabelConfig } from "./label-config.js";
import { configErrors } from "./project-input.js";
import { defaultControlWeights } from "./serializers/project.js";
import { nextId, type SimState } from "./state.js";
import { now, randomHex } from "./util.js";

/**
 * SECRET_KEY resolution of §1.3: explicit value, else `SECRET_KEY=` in `<dataDir>/.env`, else a new
 * key appended there (so PATs survive restarts only when the data dir does).
 */
export function resolveSecretKey(config: SimConfig): string {
  if (config.secretKey) return config.secretKey;
  if (!config.dataDir) return randomHex(32);
  const envFile = join(config.dataDir, ".env");
  if (existsSync(envFile)) {
    const line = readFileSync(envFile, "utf8")
      .split("\n")
      .find((l) => l.startsWith("SECRET_KEY="));
    if (line)
      return line
        .slice("SECRET_KEY=".length)
        .trim()
        .replace(/^["']|["']$/g, "");
  }
  const key = randomHex(32);
  mkdirSync(config.dataDir, { recursive: true });
  appendFileSync(envFile, `SECRET_KEY=${key}\n`);
  return key;
}

/**
 * Startup steps 2–3 of §1.3: create the initial user (token and password only on creation), then the
 * first organization with `legacy_api_tokens_enabled` taken from the flag (only at organization creation).
 * @throws Error when the user token is 5 characters or shorter.
 */
export function bootstrap(state: SimState, config: SimConfig, log: (msg: string) => void): void {
  if (config.userToken !== null && config.userToken.length <= 5) {
    throw new Error("User token should be longer than 5 characters");
  }
  if (config.username) {
    const existing = state.users.find((u) => u.email === config.username);
    if (existing) log(`User ${config.username} already exists`);
    else {
      const stamp = now();
      state.users.push({
        id: nextId(state, "user"),
        email: config.username,
        username: config.username,
        first_name: "",
        last_name: "",
        password: config.password ?? "",
        token: config.userToken ?? randomHex(20),
        is_superuser: true,
        date_joined: stamp,
        last_activity: stamp,
        active_organization: state.organization?.id ?? null,
      });
      log(`User ${config.username} created`);
    }
  }
  const first = state.users[0];
  if (!state.organization && first) {
    state.organization = {
      id: nextId(state, "organization"),
      title: "Label Studio",
      created_by: first.id,
      created_at: now(),
      legacy_api_tokens_enabled: config.enableLegacyApiToken,
      api_tokens_enabled: true,
      api_token_ttl_days: 73000,
      invite_token: randomHex(20),
    };
  }
  for (const user of state.users) user.active_organization ??= state.organization?.id ?? null;
  initProject(state, config, log);
}

/** `start <name> --init [-l config.xml]`: creates the named project when missing. */
function initProject(state: SimState, config: SimConfig, log: (msg: string) => void): void {
  const init = config.initProject;
  const owner = state.users[0];
  if (!init || !owner || !state.organization) return;
  if (state.projects.some((p) => p.fields.title === init.title)) return;
  const labelConfig = init.labelConfig ?? "<View></View>";
  const errors = configErrors(labelConfig);
  if (errors.length > 0) throw new Error(`invalid label config: ${errors.join("; ")}`);
  const stamp = now();
  state.projects.push({
    id: nextId(state, "project"),
    organization: state.organization.id,
    created_by: owner.id,
    created_at: stamp,
    updated_at: stamp,
    token: randomHex(16),
    fields: {
      title: init.title,
      description: init.description,
      label_config: labelConfig,
      control_weights: defaultControlWeights(parseLabelConfig(labelConfig)),
    },
  });
  log(`Project "${init.title}" created`);
}
