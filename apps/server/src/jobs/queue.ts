import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { jobs } from "../db/schema/index.js";
import { isUniqueViolation } from "../lib/db-errors.js";

export type JobRow = typeof jobs.$inferSelect;

export interface SendOptions {
  /** At most one queued or running job per (name, singletonKey): a duplicate send returns null. */
  singletonKey?: string;
  delayMs?: number;
  maxAttempts?: number;
}

/**
 * The job queue on our own `jobs` table. Claims use FOR UPDATE SKIP LOCKED, so N workers on
 * PostgreSQL never run one job twice, and the same code runs on embedded PGlite. Jobs are
 * at-least-once: handlers are idempotent (a worker that dies mid-job leaves it to be re-run after
 * its lock expires).
 */
export function createJobQueue(db: Db) {
  return {
    /** Enqueues a job (in `tx` when given, so it commits with the caller's changes). */
    async send(
      name: string,
      payload: unknown,
      options: SendOptions = {},
      tx: Db = db,
    ): Promise<number | null> {
      const runAt = new Date(Date.now() + (options.delayMs ?? 0));
      const values = {
        name,
        payload: payload ?? {},
        runAt,
        singletonKey: options.singletonKey ?? null,
        ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
      };
      if (!options.singletonKey) {
        const [row] = await tx.insert(jobs).values(values).returning({ id: jobs.id });
        return row!.id;
      }
      try {
        const [row] = await tx.insert(jobs).values(values).onConflictDoNothing().returning({ id: jobs.id });
        return row?.id ?? null;
      } catch (error) {
        if (isUniqueViolation(error)) return null;
        throw error;
      }
    },

    /** Claims up to `limit` ready jobs of the given names for `workerId`, locking them for `lockMs`. */
    async claim(names: string[], limit: number, workerId: string, lockMs: number): Promise<JobRow[]> {
      if (names.length === 0 || limit <= 0) return [];
      const nameList = sql.join(
        names.map((n) => sql`${n}`),
        sql`, `,
      );
      const result = await db.execute(sql`
        update ${jobs} set status = 'running', attempts = attempts + 1, locked_by = ${workerId},
          locked_until = now() + (${lockMs} * interval '1 millisecond'), updated_at = now()
        where id in (
          select id from ${jobs}
          where status = 'queued' and run_at <= now() and name in (${nameList})
          order by run_at, id
          limit ${limit}
          for update skip locked
        )
        returning id`);
      const ids = (result as unknown as { rows: { id: number | string }[] }).rows.map((r) => Number(r.id));
      if (ids.length === 0) return [];
      return db.select().from(jobs).where(inArray(jobs.id, ids));
    },

    async complete(id: number) {
      await db
        .update(jobs)
        .set({ status: "completed", lockedBy: null, lockedUntil: null, updatedAt: new Date() })
        .where(eq(jobs.id, id));
    },

    /** Records a failure: re-queued after `retryInMs`, or `failed` for good when out of attempts. */
    async fail(job: JobRow, error: string, retryInMs: number | null) {
      const retry = retryInMs !== null && job.attempts < job.maxAttempts;
      await db
        .update(jobs)
        .set({
          status: retry ? "queued" : "failed",
          lastError: error.slice(0, 4000),
          runAt: retry ? new Date(Date.now() + retryInMs) : job.runAt,
          lockedBy: null,
          lockedUntil: null,
          updatedAt: new Date(),
        })
        .where(eq(jobs.id, job.id));
      return retry;
    },

    /** Re-queues running jobs whose worker stopped renewing their lock (crashed or killed). */
    async recoverStale(): Promise<number> {
      const rows = await db
        .update(jobs)
        .set({ status: "queued", lockedBy: null, lockedUntil: null, updatedAt: new Date() })
        .where(and(eq(jobs.status, "running"), lt(jobs.lockedUntil, new Date())))
        .returning({ id: jobs.id });
      return rows.length;
    },

    /** Counts by name and status (for /metrics and tests). */
    async stats() {
      return db
        .select({ name: jobs.name, status: jobs.status, count: sql<number>`count(*)::int` })
        .from(jobs)
        .groupBy(jobs.name, jobs.status);
    },

    /** Number of jobs that are queued and due, or running. */
    async pending(names?: string[]): Promise<number> {
      const where = sql`(status = 'running' or (status = 'queued' and run_at <= now()))${
        names?.length ? sql` and ${inArray(jobs.name, names)}` : sql``
      }`;
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(jobs).where(where);
      return Number(row?.n ?? 0);
    },
  };
}
export type JobQueue = ReturnType<typeof createJobQueue>;
