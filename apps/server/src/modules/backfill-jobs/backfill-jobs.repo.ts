import { and, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { backfillJobs, members, workflows } from "../../db/schema/index.js";
import { AppError } from "../../lib/app-error.js";

/**
 * Reads shared by the agreement and the FSM backfill services (one `backfill_jobs` table, told apart
 * by `kind`); each service presents the rows in its own API shape.
 */

/** Jobs matching `where`, newest first, each with the member who created it (null when gone). */
export async function jobsWithCreator(db: Db, where: SQL | undefined, limit: number, offset: number) {
  const rows = await db
    .select({ job: backfillJobs, member: { id: members.id, email: members.email, name: members.name } })
    .from(backfillJobs)
    .leftJoin(members, eq(members.id, backfillJobs.createdById))
    .where(where)
    .orderBy(desc(backfillJobs.id))
    .limit(limit)
    .offset(offset);
  return rows.map((r) => ({ job: r.job, creator: r.member?.id ? r.member : null }));
}

/** How many jobs match `where` (the total of a paged list). */
export async function countJobs(db: Db, where: SQL | undefined) {
  const [count] = await db.select({ n: sql<number>`count(*)` }).from(backfillJobs).where(where);
  return Number(count?.n ?? 0);
}

/** 404 unless the project (workflow) exists in the organization. */
export async function requireProject(db: Db, organizationId: number, projectId: number) {
  const [workflow] = await db
    .select({ id: workflows.id })
    .from(workflows)
    .where(and(eq(workflows.organizationId, organizationId), eq(workflows.id, projectId)));
  if (!workflow) throw new AppError("NOT_FOUND", `Project ${projectId} not found`);
}

/**
 * Cancels the active jobs matching `where`: queued ones (PENDING, QUEUED) end at once with `ended`
 * (each API has its own final status: the FSM's CANCELLED, agreement's FAILED with a message), running
 * ones are flagged and stop at their next batch (the runner ends them the same way). A running job
 * flagged before is not counted again. Returns how many of each this call cancelled.
 */
export async function cancelActiveJobs(
  db: Db,
  where: SQL | undefined,
  ended: { status: "CANCELLED" | "FAILED"; error: string | null },
) {
  const now = new Date();
  const queued = await db
    .update(backfillJobs)
    .set({ ...ended, cancelRequested: 1, finishedAt: now, updatedAt: now })
    .where(and(where, inArray(backfillJobs.status, ["PENDING", "QUEUED"])))
    .returning({ id: backfillJobs.id });
  const running = await db
    .update(backfillJobs)
    .set({ cancelRequested: 1, updatedAt: now })
    .where(and(where, eq(backfillJobs.status, "RUNNING"), eq(backfillJobs.cancelRequested, 0)))
    .returning({ id: backfillJobs.id });
  return { queued: queued.length, running: running.length };
}
