import { and, eq, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client.js";
import { backfillJobs } from "../../db/schema/index.js";
import { defineJob } from "../../jobs/catalog.js";
import { AppError } from "../../lib/app-error.js";
import {
  cancelActiveJobs,
  countJobs,
  jobsWithCreator,
  requireProject,
} from "../backfill-jobs/backfill-jobs.repo.js";
import type { AgreementJobs, MatrixService } from "./matrices.service.js";

export const AGREEMENT_BACKFILL_JOB = "agreement.backfill";
export const BACKFILL_STATUSES = ["PENDING", "QUEUED", "RUNNING", "COMPLETED", "FAILED"] as const;
export type AgreementBackfillStatus = (typeof BACKFILL_STATUSES)[number];
const ACTIVE: AgreementBackfillStatus[] = ["PENDING", "QUEUED", "RUNNING"];
const MAX_ATTEMPTS = 3;
/** LS has no CANCELLED status: a cancelled job is FAILED with this message (reference §6.1, LS mode). */
export const CANCELLED_MESSAGE = "Cancelled";

type JobRow = typeof backfillJobs.$inferSelect;
export interface AgreementBackfillProgress {
  matrices_created: number;
  tasks_processed: number;
  tasks_total: number | null;
  errors: number;
}

export type TriggerMode = { project_id: number } | { num_projects: number } | { all_projects: true };

const rqJobIdOf = (id: number) => `agreement-backfill-${id}`;
const agreementJobs = (organizationId: number) =>
  and(eq(backfillJobs.organizationId, organizationId), eq(backfillJobs.kind, "agreement"));

function presentJob(row: JobRow, member: { id: number; email: string } | null) {
  return {
    job_id: row.id,
    rq_job_id: rqJobIdOf(row.id),
    project_id: row.projectId,
    status: row.status as AgreementBackfillStatus,
    triggered_by: member ? { id: member.id, email: member.email } : null,
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    completed_at: row.finishedAt?.toISOString() ?? null,
    error_message: row.error ?? "",
    progress_data: row.progressData as unknown as AgreementBackfillProgress,
  };
}
export type AgreementBackfillJobView = ReturnType<typeof presentJob>;

const newProgress = (): AgreementBackfillProgress => ({
  matrices_created: 0,
  tasks_processed: 0,
  tasks_total: null,
  errors: 0,
});

/**
 * Agreement V2 backfill (reference §1): one job per workflow (LS: project) that computes the matrices
 * of tasks that have none, in batches on the job queue. Each batch commits its matrices, the cursor
 * (last item id) and `progress_data` in one transaction under the job row's lock, so a job resumes
 * where it stopped after a restart, never counts twice, and sees a cancel at its next batch.
 */
export function createAgreementBackfillService(deps: {
  db: Db;
  jobs: AgreementJobs;
  matrices: MatrixService;
}) {
  const { db, jobs, matrices } = deps;

  /** Runs (or resumes) a job until done, cancelled, or `maxBatches` (tests stop half-way, as a crash would). */
  async function run(jobId: number, options: { maxBatches?: number } = {}) {
    for (let batches = 0; ; batches++) {
      if (options.maxBatches !== undefined && batches >= options.maxBatches) return "paused" as const;
      const outcome = await db.transaction(async (tx) => {
        const [row] = await tx.select().from(backfillJobs).where(eq(backfillJobs.id, jobId)).for("update");
        if (row?.kind !== "agreement" || !ACTIVE.includes(row.status as AgreementBackfillStatus))
          return "done";
        const now = new Date();
        if (row.cancelRequested > 0) {
          await tx
            .update(backfillJobs)
            .set({ status: "FAILED", error: CANCELLED_MESSAGE, finishedAt: now, updatedAt: now })
            .where(eq(backfillJobs.id, jobId));
          return "done";
        }
        const progress = { ...newProgress(), ...(row.progressData as Partial<AgreementBackfillProgress>) };
        if (row.projectId === null) throw new Error(`Agreement backfill job ${jobId} has no project`);
        if (progress.tasks_total === null) {
          progress.tasks_total = await countMissing(tx as Db, row.projectId);
        }
        const after = row.cursor ? Number(row.cursor) : 0;
        const batch = await matrices.computeMissingIn(tx as Db, row.organizationId, row.projectId, after);
        const done = batch.lastItemId === null;
        const updated: AgreementBackfillProgress = {
          ...progress,
          matrices_created: progress.matrices_created + batch.matricesCreated,
          tasks_processed: progress.tasks_processed + batch.tasks,
        };
        await tx
          .update(backfillJobs)
          .set({
            status: done ? "COMPLETED" : "RUNNING",
            cursor: done ? row.cursor : String(batch.lastItemId),
            progressData: updated as unknown as Record<string, unknown>,
            startedAt: row.startedAt ?? now,
            ...(done ? { finishedAt: now } : {}),
            updatedAt: now,
          })
          .where(eq(backfillJobs.id, jobId));
        return done ? "done" : "more";
      });
      if (outcome === "done") return "done" as const;
    }
  }

  async function countMissing(tx: Db, workflowId: number) {
    const result = (await tx.execute(sql`
      select count(*) as n from items i
      where i.workflow_id = ${workflowId} and i.kind <> 'gold'
        and not exists (select 1 from agreement_matrices m where m.item_id = i.id and m.dimension = '')
        and (exists (select 1 from annotations a
                     where a.item_id = i.id and a.state <> 'DELETED' and not a.was_cancelled)
             or exists (select 1 from predictions p where p.item_id = i.id))`)) as unknown as {
      rows: { n: number | string }[];
    };
    return Number(result.rows[0]?.n ?? 0);
  }

  jobs.catalog.register(
    defineJob({
      name: AGREEMENT_BACKFILL_JOB,
      payload: z.object({ backfillJobId: z.number().int() }),
      maxAttempts: MAX_ATTEMPTS,
      lockMs: 30 * 60_000,
      async handler({ backfillJobId }, { attempt }) {
        try {
          await run(backfillJobId);
        } catch (error) {
          const [row] = await db.select().from(backfillJobs).where(eq(backfillJobs.id, backfillJobId));
          const progress = { ...newProgress(), ...(row?.progressData as Partial<AgreementBackfillProgress>) };
          const message = error instanceof Error ? error.message : String(error);
          await db
            .update(backfillJobs)
            .set({
              progressData: { ...progress, errors: progress.errors + 1 } as unknown as Record<
                string,
                unknown
              >,
              ...(attempt >= MAX_ATTEMPTS
                ? { status: "FAILED" as const, error: message.slice(0, 2000), finishedAt: new Date() }
                : {}),
              updatedAt: new Date(),
            })
            .where(eq(backfillJobs.id, backfillJobId));
          throw error;
        }
      },
    }),
  );

  async function listWithMembers(where: SQL | undefined, limit: number, offset: number) {
    return (await jobsWithCreator(db, where, limit, offset)).map((r) => presentJob(r.job, r.creator));
  }

  const requireWorkflow = (organizationId: number, projectId: number) =>
    requireProject(db, organizationId, projectId);

  const cancelWhere = (tx: Db, where: SQL | undefined) =>
    cancelActiveJobs(tx, where, { status: "FAILED", error: CANCELLED_MESSAGE });

  return {
    run,

    /**
     * Queues backfill jobs (reference §1.2): one project; the next `num_projects` projects not started
     * (no job, or only failed/cancelled ones), in ascending id, leaving in-flight jobs alone; or, with
     * `all_projects`, cancels every in-flight job and queues every project not completed. Projects
     * whose latest job completed are skipped.
     */
    async trigger(organizationId: number, memberId: number | null, mode: TriggerMode) {
      if ("project_id" in mode) await requireWorkflow(organizationId, mode.project_id);
      return db.transaction(async (tx) => {
        // One trigger at a time per organization, so two callers cannot queue the same project twice.
        await tx.execute(
          sql`select pg_advisory_xact_lock(hashtext('agreement-backfill'), ${organizationId})`,
        );
        if ("all_projects" in mode) await cancelWhere(tx as Db, agreementJobs(organizationId));
        const latest = (await tx.execute(sql`
          select w.id, l.status from workflows w
          left join lateral (
            select b.status from backfill_jobs b
            where b.organization_id = ${organizationId} and b.kind = 'agreement' and b.project_id = w.id
            order by b.id desc limit 1
          ) l on true
          where w.organization_id = ${organizationId}
          order by w.id`)) as unknown as { rows: { id: number; status: string | null }[] };
        const projects = latest.rows.map((r) => ({ id: Number(r.id), status: r.status }));
        const completed = projects.filter((p) => p.status === "COMPLETED");
        const inFlight = (p: { status: string | null }) =>
          ACTIVE.includes(p.status as AgreementBackfillStatus);
        const notStarted = projects.filter((p) => p.status !== "COMPLETED" && !inFlight(p));
        let targets: number[];
        let skipped = completed.length;
        if ("project_id" in mode) {
          const project = projects.find((p) => p.id === mode.project_id)!;
          targets = project.status === "COMPLETED" || inFlight(project) ? [] : [project.id];
          skipped = project.status === "COMPLETED" ? 1 : 0;
        } else if ("num_projects" in mode) {
          targets = notStarted.slice(0, mode.num_projects).map((p) => p.id);
        } else {
          // Running jobs were only asked to stop: their projects are queued again with the rest.
          targets = projects.filter((p) => p.status !== "COMPLETED").map((p) => p.id);
        }
        const queued: { job_id: number; rq_job_id: string; project_id: number }[] = [];
        for (const projectId of targets) {
          const [row] = await tx
            .insert(backfillJobs)
            .values({
              organizationId,
              kind: "agreement",
              projectId,
              status: "QUEUED",
              progressData: newProgress() as unknown as Record<string, unknown>,
              createdById: memberId,
            })
            .returning({ id: backfillJobs.id });
          await jobs.send(
            AGREEMENT_BACKFILL_JOB,
            { backfillJobId: row!.id },
            { singletonKey: rqJobIdOf(row!.id), maxAttempts: MAX_ATTEMPTS },
            tx as Db,
          );
          queued.push({ job_id: row!.id, rq_job_id: rqJobIdOf(row!.id), project_id: projectId });
        }
        return {
          jobs: queued,
          jobs_queued: queued.length,
          message:
            queued.length > 0
              ? `Queued ${queued.length} agreement backfill job(s)`
              : "Nothing to queue: every project is completed or in flight",
          organization_id: organizationId,
          projects_remaining: "num_projects" in mode ? notStarted.length - targets.length : 0,
          projects_skipped: skipped,
        };
      });
    },

    /** Cancels active jobs: one job, a project's, or all of the organization's. */
    async cancel(
      organizationId: number,
      filter: { jobId?: number | undefined; projectId?: number | undefined },
    ) {
      const conditions = [agreementJobs(organizationId)];
      if (filter.jobId !== undefined) {
        const [job] = await db
          .select({ id: backfillJobs.id })
          .from(backfillJobs)
          .where(and(agreementJobs(organizationId), eq(backfillJobs.id, filter.jobId)));
        if (!job) throw new AppError("NOT_FOUND", `Backfill job ${filter.jobId} not found`);
        conditions.push(eq(backfillJobs.id, filter.jobId));
      }
      if (filter.projectId !== undefined) {
        await requireWorkflow(organizationId, filter.projectId);
        conditions.push(eq(backfillJobs.projectId, filter.projectId));
      }
      const { queued, running } = await db.transaction((tx) => cancelWhere(tx as Db, and(...conditions)));
      const count = queued + running;
      return {
        cancelled_count: count,
        message:
          count === 0
            ? "No active backfill job to cancel"
            : `Cancelled ${count} job(s) (${running} running job(s) stop at their next batch)`,
      };
    },

    /** Jobs of the organization, newest first, optionally of one status. */
    async list(
      organizationId: number,
      status: AgreementBackfillStatus | undefined,
      page: { limit: number; offset: number },
    ) {
      const where = and(agreementJobs(organizationId), status ? eq(backfillJobs.status, status) : undefined);
      const rows = await listWithMembers(where, page.limit, page.offset);
      return { rows, total: await countJobs(db, where) };
    },

    /** One job (by id, or the latest of a project; 404 when none) or the organization aggregate. */
    async status(
      organizationId: number,
      filter: { jobId?: number | undefined; projectId?: number | undefined },
    ) {
      if (filter.jobId === undefined && filter.projectId === undefined) {
        return { org_status: await aggregate(organizationId) };
      }
      if (filter.projectId !== undefined) await requireWorkflow(organizationId, filter.projectId);
      const where = and(
        agreementJobs(organizationId),
        filter.jobId !== undefined ? eq(backfillJobs.id, filter.jobId) : undefined,
        filter.projectId !== undefined ? eq(backfillJobs.projectId, filter.projectId) : undefined,
      );
      const [job] = await listWithMembers(where, 1, 0);
      if (!job) throw new AppError("NOT_FOUND", "No agreement backfill job matches");
      return job;
    },
  };

  /** Per workflow the latest job decides its bucket; never-backfilled workflows count in the total only. */
  async function aggregate(organizationId: number) {
    const result = (await db.execute(sql`
      select
        (select count(*) from workflows w where w.organization_id = ${organizationId}) as total,
        count(*) filter (where l.status = 'COMPLETED') as completed,
        count(*) filter (where l.status = 'FAILED') as failed,
        count(*) filter (where l.status in ('PENDING', 'QUEUED')) as pending,
        count(*) filter (where l.status = 'RUNNING') as running,
        (select coalesce(sum((b.progress_data ->> 'matrices_created')::bigint), 0) from backfill_jobs b
          where b.organization_id = ${organizationId} and b.kind = 'agreement') as matrices
      from (
        select distinct on (b.project_id) b.status
        from backfill_jobs b
        join workflows w on w.id = b.project_id
        where b.organization_id = ${organizationId} and b.kind = 'agreement'
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
      not_started_projects: num("total") - num("completed") - num("failed") - num("pending") - num("running"),
      total_matrices_created: num("matrices"),
    };
  }
}
export type AgreementBackfillService = ReturnType<typeof createAgreementBackfillService>;
