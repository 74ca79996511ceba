import { createHash } from "node:crypto";
import path from "node:path";
import type { InstanceSpec } from "../instance-backend.js";

/** What the process backend spawns for one annotator: a pure description, table-tested. */
export interface ProcessSpec {
  file: string;
  args: string[];
  env: Record<string, string>;
  dataDir: string;
  port: number;
}

/** Variables of the server's environment an instance inherits; nothing else leaks into it. */
const INHERITED_ENV = [
  "PATH",
  "HOME",
  "LANG",
  "LC_ALL",
  "TMPDIR",
  "TZ",
  "SYSTEMROOT",
  "PYTHONPATH",
  "VIRTUAL_ENV",
];

/**
 * Splits a command line into words: whitespace separates, single and double quotes group, a backslash
 * escapes the next character. Enough for `LABEL_STUDIO_COMMAND="python -m label_studio.server"`.
 */
export function parseCommandLine(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let quote: '"' | "'" | null = null;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === "\\" && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`Unterminated ${quote} quote in command: ${line}`);
  if (inWord) words.push(current);
  return words;
}

/**
 * The command to run per annotator: LABEL_STUDIO_COMMAND when set; else `label-studio` when it is
 * on PATH; else the bundled simulator run by this very Node binary.
 */
export function resolveLabelStudioCommand(
  configured: string | undefined,
  options: { onPath: (program: string) => string | null; nodePath: string; simulatorBin: string },
): string[] {
  if (configured) {
    const words = parseCommandLine(configured);
    if (words.length === 0) throw new Error("LABEL_STUDIO_COMMAND is empty");
    return words;
  }
  const installed = options.onPath("label-studio");
  if (installed) return [installed];
  return [options.nodePath, options.simulatorBin];
}

/** Derived, stable per instance: LS signs its JWTs with SECRET_KEY, so PATs survive restarts (§1.3). */
export const instanceSecretKey = (spec: Pick<InstanceSpec, "lsToken" | "annotatorId">) =>
  createHash("sha256").update(`labelfleet:ls-secret-key:${spec.annotatorId}:${spec.lsToken}`).digest("hex");

/** `<data folder>/instances/<annotator id>`: the instance's own folder (SQLite, media, `.env`). */
export const instanceDataDir = (root: string, annotatorId: number) =>
  path.join(root, "instances", String(annotatorId));

/**
 * Arguments and environment of `label-studio start` for one annotator (contract §1.3 and §2.2): bound to
 * 127.0.0.1 on `port`, its own data folder, the bootstrap user with a known legacy token, legacy tokens
 * enabled at first start, an explicit SECRET_KEY. Bare HOST/PORT/USERNAME of the server's own
 * environment are not inherited: LS would read them as its own settings (§1.3, `get_env`).
 */
export function buildProcessSpec(input: {
  command: string[];
  spec: InstanceSpec;
  port: number;
  dataRoot: string;
  parentEnv: Record<string, string | undefined>;
}): ProcessSpec {
  const [file, ...prefix] = input.command;
  if (!file) throw new Error("The Label Studio command is empty");
  const dataDir = instanceDataDir(input.dataRoot, input.spec.annotatorId);
  const host = `http://127.0.0.1:${input.port}`;
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = input.parentEnv[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, {
    LABEL_STUDIO_USERNAME: input.spec.lsUsername,
    LABEL_STUDIO_PASSWORD: input.spec.lsPassword,
    LABEL_STUDIO_USER_TOKEN: input.spec.lsToken,
    LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN: "true",
    LABEL_STUDIO_BASE_DATA_DIR: dataDir,
    LABEL_STUDIO_HOST: host,
    SECRET_KEY: instanceSecretKey(input.spec),
    // Air-gapped by default: no telemetry, no version check (§2.1).
    COLLECT_ANALYTICS: "false",
    LATEST_VERSION_CHECK: "false",
    SENTRY_DSN: "",
    FRONTEND_SENTRY_DSN: "",
    LABELFLEET_ANNOTATOR_ID: String(input.spec.annotatorId),
    LABELFLEET_CALLBACK_URL: `${input.spec.callbackBaseUrl.replace(/\/$/, "")}/api/annotators/${input.spec.annotatorId}/token`,
    LABELFLEET_WEBHOOK_SECRET: input.spec.webhookSecret,
  });
  const args = [
    ...prefix,
    "start",
    "--port",
    String(input.port),
    "--internal-host",
    "127.0.0.1",
    "--data-dir",
    dataDir,
    "--no-browser",
  ];
  return { file, args, env, dataDir, port: input.port };
}

/**
 * The port an instance announces on its output, when it moved off the one it was given (LS walks to
 * the next free port, §2.2): `ls-sim listening on http://127.0.0.1:41237`, Django's
 * `Starting development server at http://0.0.0.0:8080/`.
 */
export function announcedPort(line: string): number | null {
  const match = /(?:listening on|server at|running on)\s+https?:\/\/[^\s/:]+:(\d{2,5})/i.exec(line);
  if (!match?.[1]) return null;
  const port = Number(match[1]);
  return port > 0 && port < 65_536 ? port : null;
}
