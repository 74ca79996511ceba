import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "./app.js";
import { bootstrap, resolveSecretKey } from "./bootstrap.js";
import { defaultConfig, type SimConfig } from "./config.js";
import type { SimContext } from "./context.js";
import { setErrorVersion } from "./errors.js";
import { createFaultController, type FaultController } from "./faults.js";
import { createPersister, type Persister } from "./persistence.js";
import { emptyState, loadState, type SimState } from "./state.js";
import { createWebhookDispatcher, type WebhookLogEntry } from "./webhooks.js";

export interface SimulatorOptions extends Partial<SimConfig> {
  /** Called after a `crash` fault; default: flush state and close the server abruptly. */
  onCrash?: () => void;
  /** Startup messages (user created, …); default: silent. */
  log?: (msg: string) => void;
}

/** A running simulator. */
export interface RunningSimulator {
  url: string;
  port: number;
  state: SimState;
  config: SimConfig;
  faults: FaultController;
  webhookLog: WebhookLogEntry[];
  /** Flushes state to disk and stops listening. */
  close(): Promise<void>;
}

async function listen(server: Server, host: string, port: number, fallback: boolean): Promise<number> {
  // Like LS (§2.2): a busy port silently moves to the next one, up to +1000.
  for (let candidate = port; candidate <= Math.min(port + 1000, 65535); candidate++) {
    const ok = await new Promise<boolean>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        server.off("listening", onListening);
        if (err.code === "EADDRINUSE" && fallback && port !== 0) resolve(false);
        else reject(err);
      };
      const onListening = () => {
        server.off("error", onError);
        resolve(true);
      };
      server.once("error", onError);
      server.once("listening", onListening);
      server.listen(candidate, host);
    });
    if (ok) return (server.address() as AddressInfo).port;
  }
  throw new Error(`no free port in ${port}..${port + 1000}`);
}

/** The URL a local client should use: wildcard binds are reached through loopback. */
function localUrl(host: string, port: number): string {
  const h =
    host === "0.0.0.0" || host === ""
      ? "127.0.0.1"
      : host === "::"
        ? "[::1]"
        : host.includes(":")
          ? `[${host}]`
          : host;
  return `http://${h}:${port}`;
}

/**
 * Starts an LS-compatible simulator (programmatic entry). Defaults: port 0 (free port), in-memory state
 * unless `dataDir`/`databaseFile` is given, legacy tokens disabled unless `enableLegacyApiToken`.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const { onCrash, log = () => {}, ...overrides } = options;
  const config: SimConfig = { ...defaultConfig(), port: 0, ...overrides };
  setErrorVersion(config.release);
  const stateFile =
    config.databaseFile ?? (config.dataDir ? join(config.dataDir, "ls-sim-state.json") : null);
  const secretKey = resolveSecretKey(config);
  const state = (stateFile ? loadState(stateFile) : null) ?? emptyState(secretKey);
  state.secretKey = secretKey;
  bootstrap(state, config, log);

  const persister: Persister | null = stateFile
    ? createPersister(stateFile, () => state, config.persistDebounceMs)
    : null;
  persister?.flushSync();
  const faults = createFaultController();
  const webhooks = createWebhookDispatcher(state, faults, config.webhookTimeoutMs);
  const server = createServer();
  let closed = false;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    persister?.flushSync();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const ctx: SimContext = {
    config,
    state,
    save: () => persister?.schedule(),
    faults,
    webhooks,
    onCrash: () => {
      persister?.flushSync();
      if (onCrash) onCrash();
      else void close();
    },
  };
  const handler = createApp(ctx);
  server.on("request", getRequestListener(handler));
  const port = await listen(server, config.internalHost, config.port, config.portFallback);
  return {
    url: localUrl(config.internalHost, port),
    port,
    state,
    config,
    faults,
    webhookLog: webhooks.log,
    close,
  };
}
