import type { InstanceBackend, InstanceStatus } from "../../backends/instance-backend.js";
import type { AppConfig } from "../../config/config.js";
import type { Db } from "../../db/client.js";
import { isAppError } from "../../lib/app-error.js";
import type { Logger } from "../../lib/logger.js";
import { applyTransition } from "../fsm/transition.js";
import {
  type AnnotatorRow,
  annotatorRowsIn,
  failAnnotator,
  findAnnotatorRow,
  recordContainerEvent,
  updateAnnotator,
} from "./annotators.repo.js";
import { refOf } from "./instance-spec.js";
import type { LifecycleService, SendJob } from "./lifecycle.service.js";

export const JOB_HEALTH_CHECK = "annotator.health-check";
export const JOB_RESTART = "annotator.restart";

const MAX_BACKOFF_MS = 10 * 60_000;
/** Instances probed at once by one health-check round. */
const PROBE_CONCURRENCY = 16;

export interface HealthDeps {
  db: Db;
  backend: InstanceBackend;
  config: AppConfig;
  log: Logger;
  sendJob: SendJob;
  lifecycle: LifecycleService;
  /** LS `/health` probe of one instance; true when it answers UP. */
  probe: (url: string, timeoutMs: number) => Promise<boolean>;
}

export interface HealthReport {
  checked: number;
  healthy: number;
  failed: number[];
  staleStarts: number[];
}

/** Delay before restart number `attempt` (1-based): the base, doubled per attempt, capped at 10 minutes. */
export const restartDelayMs = (baseMs: number, attempt: number) =>
  Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);

/** `GET <url>/health` answering `{"status": "UP"}` (served as text/html, so the body is parsed, §1.4). */
export async function probeLabelStudioHealth(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    return response.status === 200 && (JSON.parse(text) as { status?: unknown }).status === "UP";
  } catch {
    return false;
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index] as T);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Health of running instances: a periodic check (backend inspect + LS `/health`) and the process
 * backend's exit notices move a dead instance to `error` with an event; the restart policy then
 * restarts it with exponential backoff, up to INSTANCE_RESTART_MAX_ATTEMPTS.
 */
export function createHealthService(deps: HealthDeps) {
  const { db, backend, config, log } = deps;
  const { restartMaxAttempts, restartBackoffMs, healthCheckTimeoutMs, startTimeoutMs } = config.instances;

  async function scheduleRestart(row: AnnotatorRow) {
    const attempt = row.restartCount + 1;
    const base = { organizationId: row.organizationId, annotatorId: row.id };
    if (attempt > restartMaxAttempts) {
      await recordContainerEvent(db, {
        ...base,
        eventType: "restart_limit_reached",
        message: `Not restarting: ${row.restartCount} automatic restart(s) already tried (max ${restartMaxAttempts}); start it manually`,
      });
      return;
    }
    const delayMs = restartDelayMs(restartBackoffMs, attempt);
    await deps.sendJob(
      JOB_RESTART,
      { annotatorId: row.id },
      { singletonKey: `${JOB_RESTART}:${row.id}`, delayMs },
    );
    await recordContainerEvent(db, {
      ...base,
      eventType: "restart_scheduled",
      message: `Automatic restart ${attempt}/${restartMaxAttempts} in ${Math.round(delayMs / 1000)} s`,
      details: { attempt, delayMs },
    });
  }

  /** A running instance died: `fail` (from its current state) with the reason, then the restart policy. */
  async function markDead(row: AnnotatorRow, reason: string, eventType: string) {
    if (!(await failAnnotator(db, row, { expectedState: row.status, reason, eventType }))) return false;
    await scheduleRestart(row);
    return true;
  }

  /** One slow answer on a busy host is not a dead instance: a failed probe is retried once. */
  async function probeTwice(url: string) {
    if (await deps.probe(url, healthCheckTimeoutMs)) return true;
    await new Promise((r) => setTimeout(r, 200));
    return deps.probe(url, healthCheckTimeoutMs);
  }

  async function checkOne(row: AnnotatorRow): Promise<"healthy" | "failed"> {
    const status: InstanceStatus = await backend
      .inspect(refOf(row))
      .catch(
        (error: unknown) =>
          ({ state: "failed", detail: `inspect failed: ${String(error)}` }) as InstanceStatus,
      );
    let reason: string | null = null;
    if (status.state !== "running") {
      reason = `Health check: instance is ${status.state}${status.detail ? ` (${status.detail})` : ""}`;
    } else if (!row.instanceUrl || !(await probeTwice(row.instanceUrl))) {
      reason = `Health check: Label Studio at ${row.instanceUrl} did not answer /health within ${healthCheckTimeoutMs} ms`;
    }
    if (reason === null) return "healthy";
    return (await markDead(row, reason, "health_check_failed")) ? "failed" : "healthy";
  }

  return {
    markDead,
    scheduleRestart,

    /** One round: every active/paused instance is inspected and probed; starts stuck past their timeout fail. */
    async checkAll(): Promise<HealthReport> {
      const rows = await annotatorRowsIn(db, ["active", "paused", "starting"]);
      const running = rows.filter((r) => r.status !== "starting");
      // A start job runs for at most the start timeout; a grace minute on top covers a busy worker.
      const staleBefore = Date.now() - startTimeoutMs - 60_000;
      const stale = rows.filter((r) => r.status === "starting" && r.updatedAt.getTime() < staleBefore);
      const results = await mapLimit(running, PROBE_CONCURRENCY, checkOne);
      for (const row of stale) {
        await deps.lifecycle.failStart(
          row,
          `Start did not finish within ${Math.round(startTimeoutMs / 1000)} s`,
          "start_timed_out",
        );
      }
      const failed = running.filter((_, i) => results[i] === "failed").map((r) => r.id);
      return {
        checked: running.length,
        healthy: running.length - failed.length,
        failed,
        staleStarts: stale.map((r) => r.id),
      };
    },

    /** The backend saw a ready instance exit on its own (process backend): fail it now, not at the next check. */
    async instanceExited(annotatorId: number, detail: string) {
      const row = await findAnnotatorRow(db, annotatorId);
      if (!row || (row.status !== "active" && row.status !== "paused")) return;
      await markDead(row, `Instance exited unexpectedly: ${detail}`, "crashed");
    },

    /** Job: one automatic restart of an annotator in `error` (error → starting → the start routine). */
    async restart(annotatorId: number) {
      const row = await findAnnotatorRow(db, annotatorId);
      if (row?.status !== "error") return;
      const attempt = row.restartCount + 1;
      try {
        await db.transaction(async (tx) => {
          await applyTransition(tx, {
            organizationId: row.organizationId,
            entity: "annotator",
            entityId: row.id,
            transition: "restart",
            expectedState: "error",
            reason: `automatic restart ${attempt}/${restartMaxAttempts}`,
          });
          await updateAnnotator(tx, row.id, { restartCount: attempt });
          await recordContainerEvent(tx, {
            organizationId: row.organizationId,
            annotatorId: row.id,
            eventType: "restarting",
            message: `Automatic restart ${attempt}/${restartMaxAttempts}`,
            details: { attempt },
          });
        });
      } catch (error) {
        if (isAppError(error) && error.code === "CONFLICT") return;
        throw error;
      }
      // A restart starts afresh: an instance that runs but does not answer is stopped first.
      await backend
        .stop(refOf(row))
        .catch((error: unknown) =>
          log.warn(
            { annotatorId: row.id, err: String(error) },
            "could not stop the instance before restarting it",
          ),
        );
      const isActive = await deps.lifecycle.runStart(row.id);
      if (!isActive) {
        const after = await findAnnotatorRow(db, row.id);
        if (after?.status === "error") await scheduleRestart(after);
      }
      log.info({ annotatorId: row.id, attempt, isActive }, "automatic restart finished");
    },
  };
}
export type HealthService = ReturnType<typeof createHealthService>;
