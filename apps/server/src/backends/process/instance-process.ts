import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { announcedPort, type ProcessSpec } from "./process-spec.js";

const LOG_LINES = 500;
const PID_FILE = "labelfleet.pid";

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Spawn error (e.g. ENOENT) when the program could not run at all. */
  error?: string;
}

/** Sends `signal` to the instance's whole process group (LS may fork workers). */
function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** True when `pid` is alive and its command line mentions `marker` (so a recycled pid is left alone). */
function isOurProcess(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").includes(marker);
  } catch {
    return false;
  }
}

/**
 * Kills an instance left behind by a server that died without cleaning up (SIGKILL, power loss): its
 * pid file is still in the data folder and the process still runs with that folder on its command line.
 */
export function killLeftover(dataDir: string) {
  const file = path.join(dataDir, PID_FILE);
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, "utf8").trim());
  if (Number.isInteger(pid) && pid > 0 && isOurProcess(pid, dataDir)) signalGroup(pid, "SIGKILL");
  rmSync(file, { force: true });
}

/** One running LS child process: its output, readiness, exit and stop. */
export class InstanceProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  port: number;
  isReady = false;
  /** Set before a deliberate stop, so the exit is not reported as a crash. */
  isStopping = false;
  exit: ExitInfo | null = null;
  readonly exited: Promise<ExitInfo>;
  private readonly lines: string[] = [];

  constructor(
    readonly spec: ProcessSpec,
    onExit: (info: ExitInfo, process: InstanceProcess) => void,
  ) {
    this.port = spec.port;
    this.child = spawn(spec.file, spec.args, {
      env: spec.env,
      cwd: spec.dataDir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.pid = this.child.pid ?? -1;
    let resolveExit: (info: ExitInfo) => void = () => {};
    this.exited = new Promise((resolve) => {
      resolveExit = resolve;
    });
    const finish = (info: ExitInfo) => {
      if (this.exit) return;
      this.exit = info;
      rmSync(path.join(spec.dataDir, PID_FILE), { force: true });
      resolveExit(info);
      onExit(info, this);
    };
    this.child.once("error", (error) => finish({ code: null, signal: null, error: error.message }));
    this.child.once("exit", (code, signal) => finish({ code, signal }));
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on("line", (line) => this.record(line));
    }
    if (this.pid > 0) writeFileSync(path.join(spec.dataDir, PID_FILE), `${this.pid}\n`);
  }

  private record(line: string) {
    this.lines.push(line);
    if (this.lines.length > LOG_LINES) this.lines.shift();
    const port = announcedPort(line);
    if (port && port !== this.port) this.port = port;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  logs(tail: number) {
    return this.lines.slice(-tail).join("\n");
  }

  /** Why the process ended, with the last lines it wrote (what an admin needs to fix the command). */
  describeExit(): string {
    const exit = this.exit;
    if (!exit) return "running";
    const how = exit.error
      ? `could not be started (${exit.error})`
      : exit.signal
        ? `was killed by ${exit.signal}`
        : `exited with code ${exit.code}`;
    const tail = this.logs(5);
    return `Label Studio process ${how}${tail ? `; last output: ${tail.replaceAll("\n", " | ").slice(0, 800)}` : ""}`;
  }

  /**
   * Resolves once LS answers `GET /health` with 200 (contract §1.4); rejects when the process exits
   * first or `timeoutMs` passes (the process is then killed, so nothing is left half-started).
   */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let delay = 50;
    while (Date.now() < deadline) {
      if (this.exit) throw new Error(this.describeExit());
      try {
        const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1000) });
        await response.body?.cancel();
        if (response.status === 200) {
          this.isReady = true;
          return;
        }
      } catch {
        // not listening yet
      }
      await Promise.race([new Promise((r) => setTimeout(r, delay)), this.exited]);
      delay = Math.min(delay * 2, 500);
    }
    await this.stop(2000);
    throw new Error(
      `Label Studio did not answer /health on ${this.url} within ${Math.round(timeoutMs / 1000)} s`,
    );
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs: number): Promise<void> {
    this.isStopping = true;
    if (this.exit || this.pid <= 0) return;
    signalGroup(this.pid, "SIGTERM");
    const timer = setTimeout(() => signalGroup(this.pid, "SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Synchronous best effort, for `process.on("exit")` where nothing can be awaited. */
  killNow() {
    this.isStopping = true;
    if (!this.exit && this.pid > 0) signalGroup(this.pid, "SIGTERM");
  }
}
