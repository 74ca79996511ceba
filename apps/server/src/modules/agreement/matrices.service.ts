import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client.js";
import { items } from "../../db/schema/index.js";
import { defineJob, type JobCatalog } from "../../jobs/catalog.js";
import type { SendOptions } from "../../jobs/queue.js";
import { parseLabelConfig } from "../../labelstudio/label-config.js";
import type { Logger } from "../../lib/logger.js";
import { findWorkflowConfig, listDimensionRows, syncDimensions } from "./dimensions.repo.js";
import {
  deleteWorkflowMatrices,
  findItemsMissingMatrices,
  loadParticipants,
  matrixRows,
  storeMatrices,
} from "./matrices.repo.js";
import { type BoundDimension, bindDimensions, computeTaskMatrices } from "./task-matrix.js";

export const RECOMPUTE_ITEM_JOB = "agreement.recompute-item";
export const RECOMPUTE_WORKFLOW_JOB = "agreement.recompute-workflow";

export interface AgreementJobs {
  catalog: JobCatalog;
  send(name: string, payload: unknown, options?: SendOptions, tx?: Db): Promise<number | null>;
}

export interface MatrixServiceDeps {
  db: Db;
  jobs: AgreementJobs;
  log: Logger;
  /** Items per batch of a workflow recompute or backfill (one transaction each). */
  batchSize?: number;
}

export interface BatchOutcome {
  /** Last item id looked at, or null when nothing is left after the cursor. */
  lastItemId: number | null;
  tasks: number;
  matricesCreated: number;
}

/**
 * Sends a job that is de-duplicated per key. The queue's singleton covers running jobs too, so a
 * change that lands while the job for its key runs (and may already have read the data) would be
 * dropped: a second key, delayed, makes sure one more run starts after it.
 */
async function sendCoalesced(jobs: AgreementJobs, name: string, payload: unknown, key: string, tx?: Db) {
  const id = await jobs.send(name, payload, { singletonKey: key }, tx);
  if (id === null) await jobs.send(name, payload, { singletonKey: `${key}:again`, delayMs: 1000 }, tx);
}

/**
 * Task agreement matrices (DESIGN §6): stored per item and dimension, recomputed by a job when an
 * annotation or a prediction of the item changes, and filled in batches for items that have none
 * (workflow recompute after a dimension change, Agreement V2 backfill). Gold items get no matrix:
 * they are scored against their gold answer by the quality module.
 */
export function createMatrixService({ db, jobs, log, batchSize = 1000 }: MatrixServiceDeps) {
  /** The workflow's dimensions bound to its labeling config ([] without a valid config). */
  async function boundDimensions(tx: Db, organizationId: number, workflowId: number) {
    const workflow = await findWorkflowConfig(tx, organizationId, workflowId);
    if (!workflow?.configXml) return [];
    const parsed = parseLabelConfig(workflow.configXml);
    if (!parsed.ok) return [];
    return bindDimensions(parsed.config, await listDimensionRows(tx, workflowId));
  }

  /** Computes and stores the matrices of the given items of one workflow; returns rows written. */
  async function computeItems(
    tx: Db,
    scope: { organizationId: number; workflowId: number },
    itemIds: readonly number[],
    dimensions: readonly BoundDimension[],
    options: { overwrite: boolean },
  ) {
    const loaded = await loadParticipants(tx, itemIds);
    const rows = loaded
      .filter((l) => l.participants.length > 0)
      .flatMap((l) =>
        matrixRows({ ...scope, itemId: l.itemId }, computeTaskMatrices(dimensions, l.participants)),
      );
    await storeMatrices(tx, itemIds, rows, options);
    return rows.length;
  }

  /**
   * Recomputes one item now: under a per-item advisory lock, so two recomputes of the same item run
   * one after the other and the later one (which read the later data) writes last.
   */
  async function recomputeItem(organizationId: number, itemId: number) {
    const [item] = await db
      .select({ workflowId: items.workflowId, kind: items.kind })
      .from(items)
      .where(and(eq(items.organizationId, organizationId), eq(items.id, itemId)));
    if (!item) return 0;
    // The config may have changed without the workflow hook (its XML edited in place).
    if (await syncDimensions(db, organizationId, item.workflowId)) {
      await invalidateWorkflow(organizationId, item.workflowId);
    }
    return db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('agreement-item'), ${itemId})`);
      if (item.kind === "gold") {
        await storeMatrices(tx as Db, [itemId], [], { overwrite: true });
        return 0;
      }
      const dimensions = await boundDimensions(tx as Db, organizationId, item.workflowId);
      return computeItems(tx as Db, { organizationId, workflowId: item.workflowId }, [itemId], dimensions, {
        overwrite: true,
      });
    });
  }

  /** One batch of items that miss matrices, after `afterItemId`, inside the caller's transaction. */
  async function computeMissingIn(
    tx: Db,
    organizationId: number,
    workflowId: number,
    afterItemId: number,
  ): Promise<BatchOutcome> {
    const ids = await findItemsMissingMatrices(tx, workflowId, afterItemId, batchSize);
    if (ids.length === 0) return { lastItemId: null, tasks: 0, matricesCreated: 0 };
    const dimensions = await boundDimensions(tx, organizationId, workflowId);
    const written = await computeItems(tx, { organizationId, workflowId }, ids, dimensions, {
      overwrite: false,
    });
    return { lastItemId: ids[ids.length - 1]!, tasks: ids.length, matricesCreated: written };
  }

  const computeMissingBatch = (organizationId: number, workflowId: number, afterItemId: number) =>
    db.transaction((tx) => computeMissingIn(tx as Db, organizationId, workflowId, afterItemId));

  /** Fills every item of the workflow that misses matrices; passes again until a pass finds none. */
  async function recomputeWorkflow(organizationId: number, workflowId: number) {
    await syncDimensions(db, organizationId, workflowId);
    let total = 0;
    for (;;) {
      let pass = 0;
      let after = 0;
      for (;;) {
        const batch = await computeMissingBatch(organizationId, workflowId, after);
        if (batch.lastItemId === null) break;
        pass += batch.tasks;
        after = batch.lastItemId;
      }
      total += pass;
      if (pass === 0) return total;
    }
  }

  /**
   * Drops a workflow's matrices (its dimensions changed) and queues their recomputation. Tasks that had
   * no matrix are left to their own recompute jobs or to a backfill, as before the change.
   */
  async function invalidateWorkflow(organizationId: number, workflowId: number, tx: Db = db) {
    if ((await deleteWorkflowMatrices(tx, workflowId)) === 0) return;
    await sendCoalesced(jobs, RECOMPUTE_WORKFLOW_JOB, { organizationId, workflowId }, String(workflowId), tx);
  }

  /** Queues the recompute of items whose annotations or predictions changed (inside `tx` when given). */
  async function enqueueItems(organizationId: number, itemIds: readonly number[], tx?: Db) {
    for (const itemId of new Set(itemIds)) {
      await sendCoalesced(jobs, RECOMPUTE_ITEM_JOB, { organizationId, itemId }, String(itemId), tx);
    }
  }

  jobs.catalog.register(
    defineJob({
      name: RECOMPUTE_ITEM_JOB,
      payload: z.object({ organizationId: z.number().int(), itemId: z.number().int() }),
      async handler({ organizationId, itemId }) {
        await recomputeItem(organizationId, itemId);
      },
    }),
  );
  jobs.catalog.register(
    defineJob({
      name: RECOMPUTE_WORKFLOW_JOB,
      payload: z.object({ organizationId: z.number().int(), workflowId: z.number().int() }),
      lockMs: 30 * 60_000,
      async handler({ organizationId, workflowId }) {
        const tasks = await recomputeWorkflow(organizationId, workflowId);
        log.debug({ workflowId, tasks }, "agreement matrices recomputed");
      },
    }),
  );

  return {
    /** Computes an item's matrices from the current data without storing them (nothing stored yet). */
    async computeNow(organizationId: number, workflowId: number, itemId: number) {
      const dimensions = await boundDimensions(db, organizationId, workflowId);
      const [loaded] = await loadParticipants(db, [itemId]);
      return computeTaskMatrices(dimensions, loaded?.participants ?? []);
    },
    recomputeItem,
    recomputeWorkflow,
    computeMissingIn,
    invalidateWorkflow,
    enqueueItems,
    /** Items of `itemIds` that are in the organization (for callers that enqueue on behalf of a request). */
    async itemsOf(organizationId: number, itemIds: readonly number[]) {
      if (itemIds.length === 0) return [];
      return db
        .select({ id: items.id, workflowId: items.workflowId })
        .from(items)
        .where(and(eq(items.organizationId, organizationId), inArray(items.id, [...itemIds])));
    },
  };
}
export type MatrixService = ReturnType<typeof createMatrixService>;
