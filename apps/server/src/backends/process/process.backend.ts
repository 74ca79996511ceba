import { mkdirSync, rmSync } from "node:fs";
import type { Logger } from "../../lib/logger.js";
import type {
  InstanceBackend,
  InstanceInfo,
  InstanceRef,
  InstanceSpec,
  InstanceStatus,
} from "../instance-backend.js";
import { findFreePort } from "./free-port.js";
import { type ExitInfo, InstanceProcess, killLeftover } from "./instance-process.js";
import { buildProcessSpec, instanceDataDir } from "./process-spec.js";

/** An instance that ended without being asked to (crash, OOM, killed from outside). */
export interface InstanceExit {
  annotatorId: number;
  detail: string;
  exit: ExitInfo;
}

export interface ProcessBackendOptions {
  /** Program and leading arguments (`resolveLabelStudioCommand`). */
  command: string[];
  /** LabelFleet's data folder: instances live in `<dataRoot>/instances/<annotator id>`. */
  dataRoot: string;
  log: Logger;
  /** How long a new process may take to answer `/health`. */
  readyTimeoutMs: number;
  /** Grace between SIGTERM and SIGKILL on stop. Default 10 s. */
  stopGraceMs?: number;
  /** Called when a ready instance exits unexpectedly (the lifecycle moves it to `error`). */
  onExit?: (event: InstanceExit) => void;
  parentEnv?: Record<string, string | undefined>;
}

/**
 * The embedded backend: one `label-studio` (or simulator) child process per annotator on a free
 * 127.0.0.1 port, with its own data folder. Children run in their own process group and are killed on
 * stop, on remove and when the server exits; a leftover of a crashed server is killed before its
 * folder is reused. State lives in this process: run the `process` backend in one server process.
 */
export function createProcessBackend(options: ProcessBackendOptions): InstanceBackend & {
  /** Pids of the live children (benchmarks and tests). */
  pids(): Map<number, number>;
} {
  const children = new Map<number, InstanceProcess>();
  const respawns = new Map<number, number>();
  const pending = new Map<number, Promise<InstanceInfo>>();
  const reserved = new Set<number>();
  const stopGraceMs = options.stopGraceMs ?? 10_000;
  const log = options.log.child({ backend: "process" });

  const killAllNow = () => {
    for (const child of children.values()) child.killNow();
  };
  let isHooked = false;

  const infoOf = (annotatorId: number, child: InstanceProcess): InstanceInfo => ({
    containerId: `labelfleet-ls-${annotatorId}`,
    host: "127.0.0.1",
    port: child.port,
    url: child.url,
    backendData: { pid: child.pid, dataDir: child.spec.dataDir, port: child.port },
  });

  function onChildExit(annotatorId: number, info: ExitInfo, child: InstanceProcess) {
    reserved.delete(child.spec.port);
    if (child.isStopping) return;
    const detail = child.describeExit();
    log.warn({ annotatorId, pid: child.pid, ...info }, "instance process exited unexpectedly");
    // Not-yet-ready children are reported by waitReady to whoever is starting them.
    if (child.isReady && children.get(annotatorId) === child) {
      options.onExit?.({ annotatorId, detail, exit: info });
    }
  }

  async function launch(spec: InstanceSpec): Promise<InstanceInfo> {
    const id = spec.annotatorId;
    const existing = children.get(id);
    if (existing && !existing.exit && !existing.isStopping) {
      // Idempotent: a re-run start job finds the instance it already launched.
      if (!existing.isReady) await existing.waitReady(options.readyTimeoutMs);
      return infoOf(id, existing);
    }
    // A child still shutting down keeps its data folder busy: let it finish first.
    if (existing && !existing.exit) await existing.exited;
    if (existing?.exit && !existing.isStopping) respawns.set(id, (respawns.get(id) ?? 0) + 1);
    const dataDir = instanceDataDir(options.dataRoot, id);
    mkdirSync(dataDir, { recursive: true });
    killLeftover(dataDir);
    const port = await findFreePort(reserved);
    reserved.add(port);
    const processSpec = buildProcessSpec({
      command: options.command,
      spec,
      port,
      dataRoot: options.dataRoot,
      parentEnv: options.parentEnv ?? process.env,
    });
    if (!isHooked) {
      // Children must not outlive the server, however it ends (main.ts also closes on SIGINT/SIGTERM).
      process.on("exit", killAllNow);
      isHooked = true;
    }
    const child = new InstanceProcess(processSpec, (info, c) => onChildExit(id, info, c));
    children.set(id, child);
    log.info({ annotatorId: id, pid: child.pid, port }, "instance process spawned");
    await child.waitReady(options.readyTimeoutMs);
    return infoOf(id, child);
  }

  /** One launch at a time per annotator (a start job re-run while the first is still waiting). */
  function serialised(spec: InstanceSpec): Promise<InstanceInfo> {
    const inFlight = pending.get(spec.annotatorId);
    if (inFlight) return inFlight;
    const run = launch(spec).finally(() => pending.delete(spec.annotatorId));
    pending.set(spec.annotatorId, run);
    return run;
  }

  /** Stops the current child at once (aborting a readiness wait), then whatever a launch in flight spawned. */
  async function stopChild(annotatorId: number) {
    const current = children.get(annotatorId);
    if (current) await current.stop(stopGraceMs);
    await pending.get(annotatorId)?.catch(() => {});
    const after = children.get(annotatorId);
    if (after && after !== current) await after.stop(stopGraceMs);
  }

  return {
    kind: "process",
    create: serialised,
    start: (_ref, spec) => serialised(spec),
    stop: (ref) => stopChild(ref.annotatorId),
    async remove(ref: InstanceRef) {
      await stopChild(ref.annotatorId);
      children.delete(ref.annotatorId);
      respawns.delete(ref.annotatorId);
      rmSync(instanceDataDir(options.dataRoot, ref.annotatorId), { recursive: true, force: true });
    },
    async inspect(ref: InstanceRef): Promise<InstanceStatus> {
      const child = children.get(ref.annotatorId);
      const restarts = respawns.get(ref.annotatorId) ?? 0;
      if (!child)
        return { state: "missing", restarts, detail: "No process for this instance in this server" };
      if (child.exit) {
        return child.isStopping
          ? { state: "stopped", restarts }
          : { state: "failed", restarts, detail: child.describeExit() };
      }
      if (!child.isReady) return { state: "starting", restarts };
      return { state: "running", restarts };
    },
    async logs(ref: InstanceRef, { tail }) {
      return children.get(ref.annotatorId)?.logs(tail) ?? "";
    },
    async close() {
      process.off("exit", killAllNow);
      isHooked = false;
      await Promise.all([...children.keys()].map((id) => stopChild(id)));
    },
    pids() {
      const out = new Map<number, number>();
      for (const [id, child] of children) if (!child.exit) out.set(id, child.pid);
      return out;
    },
  };
}
