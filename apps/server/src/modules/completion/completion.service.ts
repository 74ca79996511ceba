import { and, asc, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client.js";
import {
  annotations,
  annotators,
  assignments,
  assignmentTasks,
  items,
  labelingConfigs,
  predictions,
  workflows,
} from "../../db/schema/index.js";
import { defineJob, type JobCatalog } from "../../jobs/catalog.js";
import type { Logger } from "../../lib/logger.js";
import type { ObjectStorage } from "../../storage/object-storage.js";
import { dataKeysOf } from "../assignments/delivery.js";
import type { AnnotationChanged } from "../ingestion/ingestion.service.js";
import { JOB_ASSIGNMENT_COMPLETE } from "../ingestion/ingestion.service.js";
import { type EnqueueAutoAssign, pushDownstream } from "./chaining.js";
import { buildLsExport, type ExportTask, exportKeyOf, exportManifest } from "./export-format.js";
import { releaseSkippedTask, syncItemProgress } from "./item-progress.js";
import { tryTransition } from "./try-transition.js";

export interface CompletionDeps {
  db: Db;
  storage: Pick<ObjectStorage, "put">;
  catalog: JobCatalog;
  enqueueAutoAssign: EnqueueAutoAssign;
  log: Logger;
}

export interface CompletionResult {
  /** `completed` now or before; `open` while tasks remain; `closed` for failed/cancelled/pending. */
  status: "completed" | "open" | "closed" | "missing";
  /** True when this call moved the assignment to `completed`. */
  transitioned: boolean;
}

/**
 * Completion of assignments (DESIGN §4 step 5), idempotent end to end so the `assignment.complete`
 * job, reconcile and retries may all run it: recount → FSM `complete` → export (LS JSON + manifest
 * under the workflow's s3ExportPath) → push to downstream workflows and queue the annotator's next
 * batch. `exportKey` is set in the same transaction as the push, so it marks that the follow-up is
 * done; a run that died before it redoes the export (same key) and the push (keyed, adds nothing).
 */
export function createCompletionService(deps: CompletionDeps) {
  const { db } = deps;

  /** Recounts done tasks and applies `complete` when all are done; returns the assignment row after. */
  async function closeIfDone(assignmentId: number) {
    return db.transaction(async (tx) => {
      const [row] = await tx.select().from(assignments).where(eq(assignments.id, assignmentId)).for("update");
      if (!row) return null;
      const [count] = await tx
        .select({ done: sql<number>`count(*) filter (where ${assignmentTasks.isDone})` })
        .from(assignmentTasks)
        .where(eq(assignmentTasks.assignmentId, assignmentId));
      const done = Number(count?.done ?? 0);
      if (done !== row.completedCount) {
        await tx.update(assignments).set({ completedCount: done }).where(eq(assignments.id, assignmentId));
      }
      if (row.status !== "in_progress" || row.taskCount === 0 || done < row.taskCount) {
        return { row: { ...row, completedCount: done }, transitioned: false };
      }
      const moved = await tryTransition(tx, {
        organizationId: row.organizationId,
        entity: "assignment",
        entityId: assignmentId,
        transition: "complete",
        expectedState: "in_progress",
        context: { completedCount: done, taskCount: row.taskCount },
      });
      if (!moved) return { row, transitioned: false };
      const completedAt = new Date();
      await tx
        .update(assignments)
        .set({ completedAt, completedCount: done })
        .where(eq(assignments.id, assignmentId));
      return {
        row: { ...row, status: "completed" as const, completedAt, completedCount: done },
        transitioned: true,
      };
    });
  }

  async function loadExportTasks(assignmentId: number): Promise<ExportTask[]> {
    const tasks = await db
      .select({
        lsTaskId: assignmentTasks.lsTaskId,
        itemId: assignmentTasks.itemId,
        position: assignmentTasks.position,
        sourceKey: items.sourceKey,
        storageKey: items.storageKey,
        data: items.data,
        createdAt: items.createdAt,
      })
      .from(assignmentTasks)
      .innerJoin(items, eq(items.id, assignmentTasks.itemId))
      .where(and(eq(assignmentTasks.assignmentId, assignmentId), eq(assignmentTasks.isGold, false)))
      .orderBy(asc(assignmentTasks.position));
    const itemIds = tasks.map((t) => t.itemId);
    if (itemIds.length === 0) return [];
    const rows = await db
      .select()
      .from(annotations)
      .where(
        and(
          eq(annotations.assignmentId, assignmentId),
          inArray(annotations.itemId, itemIds),
          ne(annotations.state, "DELETED"),
        ),
      )
      .orderBy(asc(annotations.id));
    const preds = await db
      .select()
      .from(predictions)
      .where(inArray(predictions.itemId, itemIds))
      .orderBy(asc(predictions.id));
    return tasks.map((t) => ({
      ...t,
      annotations: rows.filter((a) => a.itemId === t.itemId),
      predictions: preds.filter((p) => p.itemId === t.itemId),
    }));
  }

  /** Writes the export and its manifest; returns the export's key. Same key on every run. */
  async function writeExport(assignment: typeof assignments.$inferSelect) {
    const [context] = await db
      .select({
        s3ExportPath: workflows.s3ExportPath,
        configXml: labelingConfigs.configXml,
        lsUserId: annotators.lsUserId,
      })
      .from(workflows)
      .innerJoin(annotators, eq(annotators.id, assignment.annotatorId))
      .leftJoin(labelingConfigs, eq(labelingConfigs.id, workflows.labelingConfigId))
      .where(eq(workflows.id, assignment.workflowId));
    if (!context) throw new Error(`Workflow ${assignment.workflowId} is missing`);
    const keys = exportKeyOf(context.s3ExportPath, assignment.id);
    const tasks = await loadExportTasks(assignment.id);
    const exported = buildLsExport(tasks, {
      lsProjectId: assignment.lsProjectId,
      completedBy: context.lsUserId ?? assignment.annotatorId,
      dataKeys: context.configXml ? dataKeysOf(context.configXml) : [],
    });
    const body = JSON.stringify(exported);
    const manifest = exportManifest(body, exported, {
      assignmentId: assignment.id,
      workflowId: assignment.workflowId,
      annotatorId: assignment.annotatorId,
      key: keys.file,
      taskCount: tasks.length,
    });
    await deps.storage.put(keys.file, body, "application/json");
    await deps.storage.put(keys.manifest, JSON.stringify(manifest, null, 2), "application/json");
    return keys.file;
  }

  /** Items of the assignment, in id order (the lock order every item writer uses). */
  async function syncItems(assignmentId: number) {
    const rows = await db
      .select({ itemId: assignmentTasks.itemId })
      .from(assignmentTasks)
      .where(eq(assignmentTasks.assignmentId, assignmentId))
      .orderBy(asc(assignmentTasks.itemId));
    for (const { itemId } of rows) await syncItemProgress(db, itemId);
  }

  /**
   * Completes the assignment when every task is done, then exports, pushes downstream and queues the
   * annotator's next batch (once). Safe to call any number of times, concurrently too.
   */
  async function complete(assignmentId: number): Promise<CompletionResult> {
    const closed = await closeIfDone(assignmentId);
    if (!closed) return { status: "missing", transitioned: false };
    const { row, transitioned } = closed;
    if (row.status === "in_progress") return { status: "open", transitioned: false };
    if (row.status !== "completed") return { status: "closed", transitioned: false };
    if (row.exportKey !== null) return { status: "completed", transitioned };
    // Item states first: the push moves COMPLETED items to review, whatever order the jobs ran in.
    await syncItems(assignmentId);
    const exportKey = await writeExport(row);
    await db.transaction(async (tx) => {
      const marked = await tx
        .update(assignments)
        .set({ exportKey, updatedAt: new Date() })
        .where(and(eq(assignments.id, assignmentId), isNull(assignments.exportKey)))
        .returning({ id: assignments.id });
      if (marked.length === 0) return; // a concurrent run finished the follow-up
      await pushDownstream(tx, row, deps.enqueueAutoAssign);
      await deps.enqueueAutoAssign(row.organizationId, row.annotatorId, tx);
    });
    deps.log.info({ assignmentId, exportKey }, "assignment completed and exported");
    return { status: "completed", transitioned };
  }

  deps.catalog.register(
    defineJob({
      name: JOB_ASSIGNMENT_COMPLETE,
      payload: z.object({ assignmentId: z.number().int().positive() }),
      maxAttempts: 8,
      async handler({ assignmentId }) {
        await complete(assignmentId);
      },
    }),
  );

  /**
   * Item bookkeeping after a stored annotation change (an `annotation.changed` listener): a skip
   * gives the item back to the pool, then counts and task state are brought in line.
   */
  async function onAnnotationChanged(event: AnnotationChanged) {
    const [annotation] = await db
      .select({ wasCancelled: annotations.wasCancelled, state: annotations.state })
      .from(annotations)
      .where(eq(annotations.id, event.annotationId));
    if (annotation?.wasCancelled && annotation.state !== "DELETED" && event.assignmentId !== null) {
      await releaseSkippedTask(db, event.assignmentId, event.itemId);
    }
    await syncItemProgress(db, event.itemId);
  }

  return { complete, onAnnotationChanged };
}
export type CompletionService = ReturnType<typeof createCompletionService>;
