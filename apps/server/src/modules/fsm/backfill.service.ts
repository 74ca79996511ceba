import { and, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client.js";
import { backfillJobs, jobs as queueJobs, workflows } from "../../db/schema/index.js";
import { defineJob, type JobCatalog } from "../../jobs/catalog.js";
import type { SendOptions } from "../../jobs/queue.js";
import { AppError } from "../../lib/app-error.js";
import {
  cancelActiveJobs,
  countJobs,
  jobsWithCreator,
  requireProject,
} from "../backfill-jobs/backfill-jobs.repo.js";
import { backfillBatch, ORGANIZATION_PHASES, PROJECT_PHASES, type Scope } from "./backfill-scan.js";
import type { FsmEntity } from "./machines.js";

export const STATE_BACKFILL_JOB = "fsm.state-backfill";
const ACTIVE = ["PENDING", "QUEUED", "RUNNING"] as const;
const FINISHED = new Set(["COMPLETED", "FAILED", "CANCELLED"]);
const MAX_ATTEMPTS = 3;

export interface BackfillDeps {
  db: Db;
  jobs: {
    catalog: JobCatalog;
    send(name: string, payload: unknown, options?: SendOptions, tx?: Db): Promise<number | null>;
  };
  /** Entities per batch (one transaction, one cursor save, one cancellation check). */
  batchSize?: number;
}

type JobRow = typeof backfillJobs.$inferSelect;
interface Cursor {
  phase: FsmEntity;
  after: number;
}
export interface BackfillProgress {
  total_projects: number;
  successful_projects: number;
  failed_projects: number;
  total_entities_processed: number;
  states_recorded: number;
  states_corrected: number;
  phase: FsmEntity | null;
}

const rqJobIdOf = (id: number) => `fsm-backfill-${id}`;
const fsmJobs = (organizationId: number) =>
  and(eq(backfillJobs.organizationId, organizationId), eq(backfillJobs.kind, "fsm"));
const progressOf = (row: JobRow) => row.progressData as unknown as BackfillProgress;

function presentJob(row: JobRow, member: { id: number; email: string; name: string | null } | null) {
  return {
    job_id: row.id,
    project_id: row.projectId,
    status: row.status,
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    completed_at: row.finishedAt?.toISOString() ?? null,
    error_message: row.error,
    rq_job_id: rqJobIdOf(row.id),
    progress_data: row.progressData,
    cancel_requested: row.cancelRequested > 0,
    triggered_by: member
      ? { id: member.id, email: member.email, first_name: member.name ?? "", last_name: "" }
      : null,
  };
}
export type BackfillJobView = ReturnType<typeof presentJob>;

/**
 * FSM state backfill jobs (reference §3.10): one job per workflow (LS: project) plus one for the
 * organization's annotators. Each runs in the job queue in batches; the cursor and the progress are
 * saved with each batch, so a job resumes where it stopped after a restart, and a cancel request is
 * seen at the next batch.
 */
export function createBackfillService({ db, jobs, batchSize = 500 }: BackfillDeps) {
  async function listWithMembers(where: SQL | undefined, limit: number, offset: number) {
    return (await jobsWithCreator(db, where, limit, offset)).map((r) => presentJob(r.job, r.creator));
  }

  async function finish(
    id: number,
    status: "COMPLETED" | "FAILED" | "CANCELLED",
    patch: Partial<JobRow> = {},
  ) {
    await db
      .update(backfillJobs)
      .set({ status, finishedAt: new Date(), updatedAt: new Date(), ...patch })
      .where(eq(backfillJobs.id, id));
  }

  /**
   * Runs (or resumes) a job: batch after batch until done, cancelled, or `maxBatches` (tests use it to
   * stop half-way, as a crash would). Each batch locks the job row, so two runners never interleave.
   */
  async function run(jobId: number, options: { maxBatches?: number } = {}) {
    let batches = 0;
    for (;;) {
      if (options.maxBatches !== undefined && batches >= options.maxBatches) return "paused" as const;
      const outcome = await db.transaction(async (tx) => {
        const [row] = await tx.select().from(backfillJobs).where(eq(backfillJobs.id, jobId)).for("update");
        if (row?.kind !== "fsm" || FINISHED.has(row.status)) return "done" as const;
        if (row.cancelRequested > 0) {
          await tx
            .update(backfillJobs)
            .set({ status: "CANCELLED", finishedAt: new Date(), updatedAt: new Date() })
            .where(eq(backfillJobs.id, jobId));
          return "done" as const;
        }
        const phases = row.projectId === null ? ORGANIZATION_PHASES : PROJECT_PHASES;
        const cursor: Cursor = row.cursor ? JSON.parse(row.cursor) : { phase: phases[0]!, after: 0 };
        const scope: Scope = { organizationId: row.organizationId, projectId: row.projectId };
        const progress = progressOf(row);
        const batch = await backfillBatch(tx, cursor.phase, scope, cursor.after, batchSize, {
          backfill_job_id: row.id,
        });
        let next: Cursor | null = cursor;
        if (batch.lastId !== null) next = { phase: cursor.phase, after: batch.lastId };
        else {
          const following = phases[phases.indexOf(cursor.phase) + 1];
          next = following ? { phase: following, after: 0 } : null;
        }
        const updated: BackfillProgress = {
          ...progress,
          total_entities_processed: progress.total_entities_processed + batch.scanned,
          states_recorded: progress.states_recorded + batch.recorded,
          states_corrected: progress.states_corrected + batch.corrected,
          phase: next?.phase ?? null,
          ...(next === null ? { successful_projects: progress.total_projects } : {}),
        };
        await tx
          .update(backfillJobs)
          .set({
            status: next === null ? "COMPLETED" : "RUNNING",
            cursor: next === null ? row.cursor : JSON.stringify(next),
            progressData: updated as unknown as Record<string, unknown>,
            startedAt: row.startedAt ?? new Date(),
            ...(next === null ? { finishedAt: new Date() } : {}),
            updatedAt: new Date(),
          })
          .where(eq(backfillJobs.id, jobId));
        return next === null ? ("done" as const) : ("more" as const);
      });
      if (outcome === "done") return "done" as const;
      batches++;
    }
  }

  jobs.catalog.register(
    defineJob({
      name: STATE_BACKFILL_JOB,
      payload: z.object({ backfillJobId: z.number().int() }),
      maxAttempts: MAX_ATTEMPTS,
      async handler({ backfillJobId }, { attempt }) {
        try {
          await run(backfillJobId);
        } catch (error) {
          if (attempt >= MAX_ATTEMPTS) {
            const message = error instanceof Error ? error.message : String(error);
            await finish(backfillJobId, "FAILED", {
              error: message.slice(0, 2000),
              progressData: { ...(await progressById(backfillJobId)), failed_projects: 1 },
            });
          }
          throw error;
        }
      },
    }),
  );

  async function progressById(id: number) {
    const [row] = await db.select().from(backfillJobs).where(eq(backfillJobs.id, id));
    return (row?.progressData ?? {}) as Record<string, unknown>;
  }

  const requireWorkflow = (organizationId: number, projectId: number) =>
    requireProject(db, organizationId, projectId);

  return {
    run,

    /**
     * Queues one job per workflow (or only `projectId`'s) plus, for the whole organization, one for
     * its annotators. Scopes that already have an active job are skipped, so triggering twice queues
     * nothing new (the trigger is idempotent while jobs run).
     */
    async trigger(organizationId: number, memberId: number | null, projectId?: number) {
      if (projectId !== undefined) await requireWorkflow(organizationId, projectId);
      return db.transaction(async (tx) => {
        // One trigger at a time per organization, so two callers cannot both see "no active job".
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext('fsm-backfill'), ${organizationId})`);
        const scopes: (number | null)[] =
          projectId !== undefined
            ? [projectId]
            : [
                ...(
                  await tx
                    .select({ id: workflows.id })
                    .from(workflows)
                    .where(eq(workflows.organizationId, organizationId))
                    .orderBy(workflows.id)
                ).map((w) => w.id),
                null,
              ];
        const active = await tx
          .select({ projectId: backfillJobs.projectId })
          .from(backfillJobs)
          .where(and(fsmJobs(organizationId), inArray(backfillJobs.status, [...ACTIVE])));
        const busy = new Set(active.map((a) => a.projectId));
        const created: { job_id: number; project_id: number | null; rq_job_id: string }[] = [];
        for (const scope of scopes) {
          if (busy.has(scope)) continue;
          const progress: BackfillProgress = {
            total_projects: scope === null ? 0 : 1,
            successful_projects: 0,
            failed_projects: 0,
            total_entities_processed: 0,
            states_recorded: 0,
            states_corrected: 0,
            phase: null,
          };
          const [row] = await tx
            .insert(backfillJobs)
            .values({
              organizationId,
              kind: "fsm",
              projectId: scope,
              status: "QUEUED",
              progressData: progress as unknown as Record<string, unknown>,
              createdById: memberId,
            })
            .returning({ id: backfillJobs.id });
          await jobs.send(
            STATE_BACKFILL_JOB,
            { backfillJobId: row!.id },
            { singletonKey: rqJobIdOf(row!.id), maxAttempts: MAX_ATTEMPTS },
            tx,
          );
          created.push({ job_id: row!.id, project_id: scope, rq_job_id: rqJobIdOf(row!.id) });
        }
        const skipped = scopes.filter((s) => busy.has(s) && s !== null).length;
        return {
          jobs: created,
          jobs_queued: created.length,
          message:
            created.length > 0 ? "State backfill queued" : "Nothing to queue: backfills are already running",
          organization_id: organizationId,
          projects_skipped: skipped,
        };
      });
    },

    /**
     * Cancels active jobs: one (`jobId`), a project's, or all of the organization's. Queued jobs stop
     * at once; a running job is flagged and stops at its next batch.
     */
    async cancel(
      organizationId: number,
      filter: { jobId?: number | undefined; projectId?: number | undefined },
    ) {
      const conditions = [fsmJobs(organizationId)];
      if (filter.jobId !== undefined) {
        const [job] = await db
          .select()
          .from(backfillJobs)
          .where(and(fsmJobs(organizationId), eq(backfillJobs.id, filter.jobId)));
        if (!job) throw new AppError("NOT_FOUND", `Backfill job ${filter.jobId} not found`);
        if (FINISHED.has(job.status)) {
          throw new AppError("BAD_REQUEST", `Backfill job ${filter.jobId} is already ${job.status}`);
        }
        conditions.push(eq(backfillJobs.id, filter.jobId));
      }
      if (filter.projectId !== undefined) {
        await requireWorkflow(organizationId, filter.projectId);
        conditions.push(eq(backfillJobs.projectId, filter.projectId));
      }
      const { queued, running } = await cancelActiveJobs(db, and(...conditions), {
        status: "CANCELLED",
        error: null,
      });
      const count = queued + running;
      return {
        cancelled_count: count,
        message:
          count === 0
            ? "No active backfill job to cancel"
            : `Cancelled ${queued} queued job(s); ${running} running job(s) stop at their next batch`,
      };
    },

    /** Jobs of the organization, newest first, paged. */
    async list(organizationId: number, page: { limit: number; offset: number }) {
      const rows = await listWithMembers(fsmJobs(organizationId), page.limit, page.offset);
      return { rows, total: await countJobs(db, fsmJobs(organizationId)) };
    },

    /** A job's status (by id, or the latest job of a project), or the organization aggregate. */
    async status(
      organizationId: number,
      filter: { jobId?: number | undefined; projectId?: number | undefined },
    ) {
      if (filter.jobId !== undefined || filter.projectId !== undefined) {
        const where = and(
          fsmJobs(organizationId),
          filter.jobId !== undefined ? eq(backfillJobs.id, filter.jobId) : undefined,
          filter.projectId !== undefined ? eq(backfillJobs.projectId, filter.projectId) : undefined,
        );
        const [job] = await listWithMembers(where, 1, 0);
        if (!job) throw new AppError("NOT_FOUND", "No backfill job matches");
        const [queued] = await db
          .select({
            id: queueJobs.id,
            status: queueJobs.status,
            attempts: queueJobs.attempts,
            lastError: queueJobs.lastError,
          })
          .from(queueJobs)
          .where(eq(queueJobs.singletonKey, job.rq_job_id))
          .orderBy(desc(queueJobs.id))
          .limit(1);
        return {
          ...job,
          progress: job.progress_data,
          rq_job_info: queued
            ? {
                id: queued.id,
                status: queued.status,
                attempts: queued.attempts,
                last_error: queued.lastError,
              }
            : null,
        };
      }
      return { org_status: await aggregate(organizationId) };
    },
  };

  /** Per workflow, the latest job decides its bucket; workflows never backfilled count only in the total. */
  async function aggregate(organizationId: number) {
    const result = (await db.execute(sql`
      select
        (select count(*) from workflows w where w.organization_id = ${organizationId}) as total,
        count(*) filter (where l.status = 'COMPLETED') as completed,
        count(*) filter (where l.status = 'FAILED') as failed,
        count(*) filter (where l.status in ('PENDING', 'QUEUED')) as pending,
        count(*) filter (where l.status = 'RUNNING') as running,
        coalesce(sum((l.progress_data ->> 'total_entities_processed')::bigint), 0) as entities
      from (
        select distinct on (b.project_id) b.status, b.progress_data
        from backfill_jobs b
        join workflows w on w.id = b.project_id
        where b.organization_id = ${organizationId} and b.kind = 'fsm'
        order by b.project_id, b.id desc
      ) l`)) as unknown as { rows: Record<string, unknown>[] };
    const row = result.rows[0] ?? {};
    const num = (key: string) => Number(row[key] ?? 0);
    return {
      total_projects: num("total"),
      completed_projects: num("completed"),
      failed_projects: num("failed"),
      pending_projects: num("pending"),
      running_projects: num("running"),
      total_entities_processed: num("entities"),
    };
  }
}
export type BackfillService = ReturnType<typeof createBackfillService>;
