import { readFileSync } from "node:fs";
import { join } from "node:path";
import { configFromEnv, parsePort, type SimConfig } from "./config.js";
import { startSimulator } from "./simulator.js";
import { emptyState, loadState } from "./state.js";

/** Options of `label-studio start` that take a value (§2.2). */
const VALUE_OPTIONS: Record<string, string> = {
  "-p": "port",
  "--port": "port",
  "--internal-host": "internal-host",
  "--host": "host",
  "--data-dir": "data-dir",
  "-db": "database",
  "--database": "database",
  "--username": "username",
  "--password": "password",
  "--user-token": "user-token",
  "-l": "label-config",
  "--label-config": "label-config",
  "--initial-project-description": "description",
  "--sampling": "sampling",
  "--log-level": "log-level",
  "--cert": "cert",
  "--key": "key",
};
const FLAG_OPTIONS: Record<string, string> = {
  "-b": "no-browser",
  "--no-browser": "no-browser",
  "--enable-legacy-api-token": "enable-legacy-api-token",
  "--init": "init",
  "-d": "debug",
  "--debug": "debug",
  "--force": "force",
  "-q": "quiet",
  "--quiet": "quiet",
  "--skip-long-migrations": "skip-long-migrations",
};
const COMMANDS = new Set(["start", "init", "version", "user", "reset_password", "shell", "export"]);

export interface ParsedArgs {
  command: string;
  projectName: string | null;
  values: Record<string, string>;
  flags: Set<string>;
  warnings: string[];
}

/** Parses `label-studio [command] [project_name] [options]`, accepting `--opt value` and `--opt=value`. */
export function parseArgs(argv: string[]): ParsedArgs {
  const out: ParsedArgs = { command: "start", projectName: null, values: {}, flags: new Set(), warnings: [] };
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] ?? "";
    const [name, inline] =
      raw.startsWith("--") && raw.includes("=")
        ? [raw.slice(0, raw.indexOf("=")), raw.slice(raw.indexOf("=") + 1)]
        : [raw, undefined];
    if (VALUE_OPTIONS[name]) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`option ${name} expects a value`);
      out.values[VALUE_OPTIONS[name]] = value;
    } else if (FLAG_OPTIONS[name]) out.flags.add(FLAG_OPTIONS[name]);
    else if (name === "--ml-backends") {
      while (argv[i + 1] !== undefined && !argv[i + 1]?.startsWith("-")) i++;
    } else if (name.startsWith("-")) out.warnings.push(`ignoring unsupported option ${name}`);
    else positionals.push(name);
  }
  if (positionals[0] && COMMANDS.has(positionals[0])) out.command = positionals.shift() ?? "start";
  out.projectName = positionals[0] ?? null;
  return out;
}

/** CLI options override the environment (§1.3, §2.2). */
export function buildConfig(args: ParsedArgs, env: NodeJS.ProcessEnv): SimConfig {
  const cfg = configFromEnv(env);
  const v = args.values;
  if (v.port !== undefined) cfg.port = parsePort(v.port);
  if (v["internal-host"] !== undefined) cfg.internalHost = v["internal-host"];
  if (v.host !== undefined) cfg.publicHost = v.host;
  if (v["data-dir"] !== undefined) cfg.dataDir = v["data-dir"];
  if (v.database !== undefined) cfg.databaseFile = v.database;
  if (v.username !== undefined) {
    cfg.username = v.username;
    cfg.password = v.password ?? cfg.password;
  } else if (v.password !== undefined && cfg.username) cfg.password = v.password;
  if (v["user-token"] !== undefined) cfg.userToken = v["user-token"];
  if (args.flags.has("enable-legacy-api-token")) cfg.enableLegacyApiToken = true;
  // LS only walks to the next free port when not in debug mode.
  if (args.flags.has("debug")) cfg.portFallback = false;
  if ((args.flags.has("init") || args.command === "init") && args.projectName) {
    cfg.initProject = {
      title: args.projectName,
      labelConfig: v["label-config"] ? readFileSync(v["label-config"], "utf8") : null,
      description: v.description ?? "",
    };
  }
  return cfg;
}

function printUser(cfg: SimConfig, email: string | undefined): number {
  const file = cfg.databaseFile ?? (cfg.dataDir ? join(cfg.dataDir, "ls-sim-state.json") : null);
  const state = (file ? loadState(file) : null) ?? emptyState("");
  const user = state.users.find((u) => u.email === email);
  if (!user) {
    process.stderr.write(`User with username ${email ?? ""} not found\n`);
    return 1;
  }
  process.stdout.write(
    `${JSON.stringify({ id: user.id, email: user.email, username: user.username, token: user.token })}\n`,
  );
  return 0;
}

/**
 * Runs the CLI. Resolves to an exit code for one-shot commands, or null once `start` is serving.
 */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  const args = parseArgs(argv);
  for (const w of args.warnings) process.stderr.write(`ls-sim: ${w}\n`);
  if (args.values.cert || args.values.key) {
    process.stderr.write("ls-sim: --cert/--key are not supported: Label Studio does not terminate TLS\n");
    return 2;
  }
  const cfg = buildConfig(args, env);
  if (args.command === "version") {
    process.stdout.write(`label-studio ${cfg.release} (ls-sim)\n`);
    return 0;
  }
  if (args.command === "user") return printUser(cfg, args.values.username);
  if (!["start", "init"].includes(args.command)) {
    process.stderr.write(`ls-sim: command "${args.command}" is not supported by the simulator\n`);
    return 2;
  }
  const log = (msg: string) => process.stderr.write(`ls-sim: ${msg}\n`);
  const sim = await startSimulator({ ...cfg, log, onCrash: () => process.exit(1) });
  if (args.command === "init") {
    await sim.close();
    return 0;
  }
  process.stdout.write(`ls-sim listening on ${sim.url}\n`);
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return null;
}
