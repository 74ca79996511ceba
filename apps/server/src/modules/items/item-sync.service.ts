import { randomUUID } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client.js";
import { jobs, workflows } from "../../db/schema/index.js";
import { defineJob } from "../../jobs/catalog.js";
import type { SendOptions } from "../../jobs/queue.js";
import { found } from "../../lib/app-error.js";
import { type Clock, systemClock } from "../../lib/clock.js";
import type { Logger } from "../../lib/logger.js";
import { isItemKey, type ObjectStorage } from "../../storage/object-storage.js";
import { countWorkflowItems, insertSourceItems } from "./items.repo.js";

/** Progress of a workflow's source sync, kept in `workflows.sync_state` after every page. */
export interface SyncState {
  /** Fences out a stale run: a page is only committed while the stored runId is this run's. */
  runId: string;
  prefix: string;
  /** Last key listed and committed; the next run resumes after it. */
  cursor: string | null;
  listed: number;
  /** Listed keys that are not items (folder markers, unknown extensions). */
  skipped: number;
  inserted: number;
  done: boolean;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  lastError: string | null;
}

export const ITEM_SYNC_JOB = "items.sync";
export const ItemSyncPayload = z.object({
  organizationId: z.number().int().positive(),
  workflowId: z.number().int().positive(),
  /** Discard the stored cursor and list the prefix from its start. */
  restart: z.boolean().optional(),
});

export interface ItemSyncDeps {
  db: Db;
  storage: ObjectStorage;
  log: Logger;
  jobs: { send(name: string, payload: unknown, options?: SendOptions, tx?: Db): Promise<number | null> };
  /** Keys per page (ITEM_SYNC_PAGE_SIZE). */
  pageSize: number;
  clock?: Clock;
}

const singletonKey = (workflowId: number) => `workflow:${workflowId}`;

/** Thrown inside a page's transaction when another run owns the sync: rolls the page back. */
class Superseded extends Error {}

/**
 * Turns a workflow's source prefix into items (DESIGN §4.1): the prefix is listed page by page; each
 * page is inserted with one multi-row INSERT … ON CONFLICT DO NOTHING and the cursor and counters are
 * saved in the same transaction, so a sync that dies resumes at the last committed page and a re-run
 * only adds keys that are new. Runs as a job de-duplicated per workflow.
 */
export function createItemSyncService(deps: ItemSyncDeps) {
  const { db, storage, log } = deps;
  const clock = deps.clock ?? systemClock;
  const now = () => clock.now().toISOString();

  async function readWorkflow(organizationId: number, workflowId: number) {
    const [row] = await db
      .select({ prefix: workflows.s3SourcePath, syncState: workflows.syncState })
      .from(workflows)
      .where(and(eq(workflows.organizationId, organizationId), eq(workflows.id, workflowId)));
    return row ? { prefix: row.prefix, state: row.syncState as SyncState | null } : null;
  }

  /**
   * Saves `next` only while `runId` still owns the sync and the workflow's source is still the
   * prefix being listed; false otherwise (another run took over, or the source path changed).
   */
  async function saveState(tx: Db, workflowId: number, runId: string | null, next: SyncState) {
    const owner = runId === null ? sql`true` : sql`${workflows.syncState}->>'runId' = ${runId}`;
    const rows = await tx
      .update(workflows)
      .set({ syncState: next as unknown as Record<string, unknown> })
      .where(and(eq(workflows.id, workflowId), eq(workflows.s3SourcePath, next.prefix), owner))
      .returning({ id: workflows.id });
    return rows.length > 0;
  }

  /**
   * Runs (or resumes) the sync of one workflow to the end of its prefix and returns the final
   * state, or null when the workflow no longer exists or another run took the sync over.
   * `onPage` sees the state after every committed page (progress of large prefixes).
   */
  async function syncItems(
    input: z.infer<typeof ItemSyncPayload>,
    onPage?: (state: SyncState) => void,
  ): Promise<SyncState | null> {
    const { organizationId, workflowId } = input;
    const workflow = await readWorkflow(organizationId, workflowId);
    if (!workflow) return null;
    const previous = workflow.state;
    const resume = previous && !previous.done && !input.restart && previous.prefix === workflow.prefix;
    let state: SyncState = {
      ...(resume
        ? previous
        : { prefix: workflow.prefix, cursor: null, listed: 0, skipped: 0, inserted: 0, startedAt: now() }),
      runId: randomUUID(),
      done: false,
      updatedAt: now(),
      finishedAt: null,
      lastError: null,
    };
    // Taking the sync over fences out a run that is still alive after its job lock expired.
    await saveState(db, workflowId, null, state);
    log.info({ workflowId, prefix: state.prefix, resume: Boolean(resume) }, "item sync started");

    while (!state.done) {
      const page = await storage.list(state.prefix, { cursor: state.cursor, pageSize: deps.pageSize });
      const keys = page.objects.map((o) => o.key).filter(isItemKey);
      const runId = state.runId;
      const owned = await db
        .transaction(async (tx) => {
          const inserted = await insertSourceItems(tx, { organizationId, workflowId }, keys);
          const next: SyncState = {
            ...state,
            cursor: page.nextCursor ?? state.cursor,
            listed: state.listed + page.objects.length,
            skipped: state.skipped + page.objects.length - keys.length,
            inserted: state.inserted + inserted,
            done: page.nextCursor === null,
            updatedAt: now(),
            finishedAt: page.nextCursor === null ? now() : null,
          };
          if (!(await saveState(tx, workflowId, runId, next))) throw new Superseded();
          return next;
        })
        .catch((error: unknown) => {
          if (error instanceof Superseded) return null;
          throw error;
        });
      if (!owned) {
        const current = await readWorkflow(organizationId, workflowId);
        if (current && current.state?.runId === runId && current.prefix !== state.prefix) {
          // The source path changed mid-sync (its own sync job was de-duplicated into this one).
          log.info({ workflowId, prefix: current.prefix }, "item sync restarting on the new source path");
          return syncItems({ organizationId, workflowId, restart: true }, onPage);
        }
        log.warn({ workflowId }, "item sync superseded by another run");
        return null;
      }
      state = owned;
      onPage?.(state);
      if (state.listed % 100_000 < page.objects.length || state.done) {
        log.info({ workflowId, listed: state.listed, inserted: state.inserted }, "item sync progress");
      }
    }
    return state;
  }

  const service = {
    syncItems,

    /** Enqueues a sync job (in `tx` when given); null when one is already queued or running. */
    enqueue(input: z.infer<typeof ItemSyncPayload>, tx?: Db) {
      return deps.jobs.send(ITEM_SYNC_JOB, input, { singletonKey: singletonKey(input.workflowId) }, tx);
    },

    /**
     * Starts a sync job of an existing workflow (404 otherwise); `started` is false when one is
     * already queued or running (that one continues). Returns the status after the request.
     */
    async start(organizationId: number, workflowId: number, restart = false) {
      found(await readWorkflow(organizationId, workflowId), "Workflow");
      const jobId = await service.enqueue({ organizationId, workflowId, ...(restart ? { restart } : {}) });
      return { started: jobId !== null, ...(await service.status(organizationId, workflowId)) };
    },

    /** The stored progress plus the state of the latest sync job and the item counts. */
    async status(organizationId: number, workflowId: number) {
      const workflow = found(await readWorkflow(organizationId, workflowId), "Workflow");
      const [job] = await db
        .select({ id: jobs.id, status: jobs.status, lastError: jobs.lastError, attempts: jobs.attempts })
        .from(jobs)
        .where(and(eq(jobs.name, ITEM_SYNC_JOB), eq(jobs.singletonKey, singletonKey(workflowId))))
        .orderBy(desc(jobs.id))
        .limit(1);
      const counts = await countWorkflowItems(db, organizationId, workflowId);
      const state = workflow.state;
      const status =
        job?.status === "queued" || job?.status === "running"
          ? job.status
          : state?.done
            ? "done"
            : job?.status === "failed"
              ? "failed"
              : state
                ? "interrupted"
                : "never";
      return {
        workflowId,
        status: status as "queued" | "running" | "done" | "failed" | "interrupted" | "never",
        prefix: state?.prefix ?? workflow.prefix,
        listed: state?.listed ?? 0,
        skipped: state?.skipped ?? 0,
        inserted: state?.inserted ?? 0,
        done: state?.done ?? false,
        cursor: state?.cursor ?? null,
        startedAt: state?.startedAt ?? null,
        updatedAt: state?.updatedAt ?? null,
        finishedAt: state?.finishedAt ?? null,
        lastError: state?.lastError ?? job?.lastError ?? null,
        totalImagesAvailable: counts.available,
        totalImagesAssigned: counts.assigned,
      };
    },

    /** The job definition: resumable, so a retry continues where the failed attempt stopped. */
    job() {
      return defineJob({
        name: ITEM_SYNC_JOB,
        payload: ItemSyncPayload,
        maxAttempts: 5,
        lockMs: 30 * 60_000,
        handler: async (payload) => {
          try {
            await syncItems(payload);
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            await db
              .update(workflows)
              .set({
                syncState: sql`coalesce(${workflows.syncState}, '{}'::jsonb) || ${JSON.stringify({ lastError: message })}::jsonb`,
              })
              .where(eq(workflows.id, payload.workflowId));
            throw error;
          }
        },
      });
    },
  };
  return service;
}
export type ItemSyncService = ReturnType<typeof createItemSyncService>;
