import { sql } from "drizzle-orm";
import { bigserial, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, timestampTz, updatedAt } from "./_columns.js";

export const JOB_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * The job queue (see jobs/queue.ts): claimed with FOR UPDATE SKIP LOCKED, so it works the same on
 * PostgreSQL with N workers and on embedded PGlite. `singletonKey` de-duplicates queued/running jobs.
 */
export const jobs = pgTable(
  "jobs",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    name: text().notNull(),
    payload: jsonb().$type<unknown>().notNull(),
    status: text().$type<JobStatus>().notNull().default("queued"),
    singletonKey: text(),
    runAt: timestampTz().notNull().defaultNow(),
    attempts: integer().notNull().default(0),
    maxAttempts: integer().notNull().default(5),
    lockedBy: text(),
    lockedUntil: timestampTz(),
    lastError: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("jobs_ready_idx").on(t.status, t.runAt),
    uniqueIndex("jobs_singleton_idx")
      .on(t.name, t.singletonKey)
      .where(sql`${t.status} in ('queued', 'running')`),
  ],
);
