import { randomUUID } from "node:crypto";
import type { Logger } from "../lib/logger.js";
import { defaultBackoff, type JobCatalog } from "./catalog.js";
import type { JobQueue, JobRow } from "./queue.js";

export interface WorkerOptions {
  queue: JobQueue;
  catalog: JobCatalog;
  log: Logger;
  /** Jobs run at once by this process. */
  concurrency?: number;
  pollIntervalMs?: number;
}

/**
 * Runs jobs from the queue: polls (and wakes at once on `kick()` after an in-process send), runs
 * up to `concurrency` handlers, retries with backoff, and re-queues jobs of dead workers.
 */
export function createWorker({ queue, catalog, log, concurrency = 4, pollIntervalMs = 500 }: WorkerOptions) {
  const workerId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const running = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let polling = false;
  let lastRecovery = 0;

  async function runJob(job: JobRow) {
    const definition = catalog.get(job.name);
    if (!definition) {
      await queue.fail(job, `No handler registered for job ${job.name}`, null);
      return;
    }
    const parsed = definition.payload.safeParse(job.payload);
    if (!parsed.success) {
      // A payload that does not fit will never fit: fail at once instead of retrying.
      await queue.fail(job, `Invalid payload: ${parsed.error.message}`, null);
      return;
    }
    try {
      await definition.handler(parsed.data, { jobId: job.id, attempt: job.attempts });
      await queue.complete(job.id);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retryIn = (definition.backoffMs ?? defaultBackoff)(job.attempts);
      const willRetry = await queue.fail(job, message, retryIn);
      log.warn(
        { job: job.name, jobId: job.id, attempt: job.attempts, willRetry, err: message },
        "job failed",
      );
    }
  }

  /** Claims and starts what fits in the free slots; returns how many jobs it started. */
  async function poll(): Promise<number> {
    if (polling) return 0;
    polling = true;
    try {
      if (Date.now() - lastRecovery > 30_000) {
        lastRecovery = Date.now();
        await queue.recoverStale();
      }
      const free = concurrency - running.size;
      const names = catalog.names();
      const lockMs = Math.max(...names.map((n) => catalog.get(n)?.lockMs ?? 300_000), 60_000);
      const claimed = await queue.claim(names, free, workerId, lockMs);
      for (const job of claimed) {
        const task = runJob(job).finally(() => {
          running.delete(task);
          if (!stopped) void tick();
        });
        running.add(task);
      }
      return claimed.length;
    } finally {
      polling = false;
    }
  }

  async function tick() {
    try {
      await poll();
    } catch (error) {
      log.error({ err: error }, "job poll failed");
    }
  }

  return {
    workerId,
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setInterval(() => void tick(), pollIntervalMs);
      timer.unref();
      void tick();
    },
    /** Wake now (after a send in this process) instead of waiting for the next poll. */
    kick() {
      if (!stopped) void tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await Promise.allSettled([...running]);
    },
    /**
     * Runs jobs until none is due (tests and CLI one-shots). Jobs delayed into the future are left
     * alone; `maxRounds` bounds a handler that keeps enqueuing work.
     */
    async drain(maxRounds = 1000) {
      for (let round = 0; round < maxRounds; round++) {
        const started = await poll();
        if (running.size > 0) await Promise.race([...running]);
        else if (started === 0) return;
      }
      throw new Error("drain: jobs kept coming after maxRounds");
    },
  };
}
export type Worker = ReturnType<typeof createWorker>;
