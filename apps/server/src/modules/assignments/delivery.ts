import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client.js";
import {
  annotators,
  assignments,
  assignmentTasks,
  items,
  labelingConfigs,
  predictions,
  workflows,
} from "../../db/schema/index.js";
import { defineJob } from "../../jobs/catalog.js";
import { parseLabelConfig } from "../../labelstudio/label-config.js";
import type { LsImportTask } from "../../labelstudio/types.js";
import { AppError, isAppError } from "../../lib/app-error.js";
import type { SecretBox } from "../../lib/crypto.js";
import type { Logger } from "../../lib/logger.js";
import { applyTransition, applyTransitionMany } from "../fsm/transition.js";
import { releaseAssignmentItems } from "./claim.repo.js";
import { ANNOTATION_ACTIONS, type InstanceAccess, openInstance } from "./ls-instance.js";

export const DELIVER_JOB = "assignment.deliver";
/** One delivery job queued or running per assignment: its singleton key is this + the assignment id. */
export const DELIVER_SINGLETON_PREFIX = "assignment:";
export const REMOVE_LS_TASKS_JOB = "assignment.remove-ls-tasks";
const AssignmentJobPayload = z.object({ assignmentId: z.number().int().positive() });

export interface DeliveryDeps {
  db: Db;
  secrets: SecretBox;
  log: Logger;
  /** Signs the object URLs put into LS tasks (the storage port). */
  storage: { presignGet(key: string, ttlSeconds?: number): Promise<string> };
  /** LabelFleet's webhook endpoint as LS instances reach it (`<public URL>/api/webhook`). */
  webhookUrl: string;
  urlTtlSeconds: number;
  maxAttempts: number;
  backoffMs: number;
}

/** Title prefix that lets a retried delivery find the project an earlier attempt created. */
const projectTag = (assignmentId: number) => `LF-${assignmentId} `;

/**
 * Predictions to import with the tasks (upstream annotations shown to reviewers, rejected results
 * shown for rework), each kept to the result items of controls the config has: LS refuses an import
 * whose predictions name unknown controls.
 */
async function predictionsOf(db: Db, itemIds: number[], controls: Set<string>) {
  const byItem = new Map<number, NonNullable<LsImportTask["predictions"]>>();
  if (itemIds.length === 0) return byItem;
  const rows = await db
    .select({
      itemId: predictions.itemId,
      modelVersion: predictions.modelVersion,
      result: predictions.result,
      score: predictions.score,
    })
    .from(predictions)
    .where(inArray(predictions.itemId, itemIds))
    .orderBy(asc(predictions.id));
  for (const row of rows) {
    const result = row.result.filter(
      (r) =>
        typeof r === "object" && r !== null && controls.has(String((r as { from_name?: unknown }).from_name)),
    );
    if (result.length === 0) continue;
    const list = byItem.get(row.itemId) ?? [];
    list.push({
      result,
      model_version: row.modelVersion,
      ...(row.score === null ? {} : { score: row.score }),
    });
    byItem.set(row.itemId, list);
  }
  return byItem;
}

/** The names of the labeling config's control tags. */
function controlsOf(configXml: string): Set<string> {
  const parsed = parseLabelConfig(configXml);
  return new Set(parsed.ok ? parsed.config.controls.map((c) => c.name) : []);
}

/** The `$variables` the labeling config reads from each task's data (`$image` → `image`). */
export function dataKeysOf(configXml: string): string[] {
  const parsed = parseLabelConfig(configXml);
  if (!parsed.ok) throw new AppError("BAD_REQUEST", `Invalid labeling config: ${parsed.issues[0]}`);
  const keys = parsed.config.objects.map((o) => o.value.replace(/^\$/, "")).filter((k) => k.length > 0);
  return [...new Set(keys)];
}

/**
 * Delivery of assignments into annotators' LS instances (DESIGN §4 step 3), as idempotent jobs: each
 * step first looks for what an earlier attempt already did (the project by its title tag, the webhook
 * by URL, tasks by their `labelfleet_item_id`), so a retry never duplicates. Gold answers stay here.
 */
export function createDelivery(deps: DeliveryDeps) {
  const { db, log } = deps;

  async function load(assignmentId: number) {
    const [row] = await db
      .select({
        assignment: assignments,
        annotator: {
          id: annotators.id,
          instanceUrl: annotators.instanceUrl,
          apiTokenEnc: annotators.apiTokenEnc,
          webhookSecretEnc: annotators.webhookSecretEnc,
        },
        workflowName: workflows.name,
        configXml: labelingConfigs.configXml,
      })
      .from(assignments)
      .innerJoin(annotators, eq(annotators.id, assignments.annotatorId))
      .innerJoin(workflows, eq(workflows.id, assignments.workflowId))
      .leftJoin(labelingConfigs, eq(labelingConfigs.id, workflows.labelingConfigId))
      .where(eq(assignments.id, assignmentId));
    return row;
  }

  async function ensureProject(ls: InstanceAccess, assignmentId: number, title: string, configXml: string) {
    const tag = projectTag(assignmentId);
    const existing = await ls.client.listProjects({ title: tag.trim(), pageSize: 100 });
    const found = existing.results.find((p) => p.title?.startsWith(tag));
    if (found) return found.id;
    const created = await ls.client.createProject({
      title: `${tag}${title}`.slice(0, 50),
      description: `LabelFleet assignment ${assignmentId}`,
      label_config: configXml,
      maximum_annotations: 1,
    });
    return created.id;
  }

  async function ensureWebhook(ls: InstanceAccess, projectId: number, annotatorId: number) {
    const hooks = await ls.client.listWebhooks({ project: projectId });
    if (hooks.some((h) => h.url === deps.webhookUrl)) return;
    await ls.client.createWebhook({
      url: deps.webhookUrl,
      project: projectId,
      send_payload: true,
      send_for_all_actions: false,
      headers: { "X-Annotator-Id": String(annotatorId), "X-Webhook-Secret": ls.webhookSecret },
      actions: ANNOTATION_ACTIONS,
    });
  }

  /** Imports the tasks not yet in LS and stores each task's LS id. */
  async function importTasks(
    ls: InstanceAccess,
    assignmentId: number,
    projectId: number,
    keys: string[],
    controls: Set<string>,
  ) {
    const pending = await db
      .select({
        taskId: assignmentTasks.id,
        itemId: assignmentTasks.itemId,
        storageKey: items.storageKey,
        data: items.data,
      })
      .from(assignmentTasks)
      .innerJoin(items, eq(items.id, assignmentTasks.itemId))
      .where(and(eq(assignmentTasks.assignmentId, assignmentId), isNull(assignmentTasks.lsTaskId)))
      .orderBy(asc(assignmentTasks.position));
    if (pending.length === 0) return;
    // A lost import answer may have created tasks already: map those first, import only the rest.
    const inLs = new Map<number, number>();
    for (const task of await ls.client.listProjectTasks(projectId)) {
      const itemId = Number((task.data as Record<string, unknown>).labelfleet_item_id);
      if (Number.isFinite(itemId)) inLs.set(itemId, task.id);
    }
    const toImport = pending.filter((p) => !inLs.has(p.itemId));
    if (toImport.length > 0) {
      const payload: LsImportTask[] = [];
      const preds = await predictionsOf(
        db,
        toImport.map((p) => p.itemId),
        controls,
      );
      for (const p of toImport) {
        const url = await deps.storage.presignGet(p.storageKey, deps.urlTtlSeconds);
        const data: Record<string, unknown> = { ...(p.data ?? {}) };
        for (const key of keys) data[key] ??= url;
        data.labelfleet_item_id = p.itemId;
        const itemPredictions = preds.get(p.itemId);
        payload.push(itemPredictions ? { data, predictions: itemPredictions } : { data });
      }
      const result = await ls.client.importTasks(projectId, payload);
      if (result.task_ids && result.task_ids.length === toImport.length) {
        const taskIds = result.task_ids;
        for (const [i, p] of toImport.entries()) inLs.set(p.itemId, taskIds[i]!);
      } else {
        for (const task of await ls.client.listProjectTasks(projectId)) {
          const itemId = Number((task.data as Record<string, unknown>).labelfleet_item_id);
          if (Number.isFinite(itemId)) inLs.set(itemId, task.id);
        }
      }
    }
    for (const p of pending) {
      const lsTaskId = inLs.get(p.itemId);
      if (lsTaskId === undefined) throw new Error(`Task of item ${p.itemId} is missing after the import`);
      await db.update(assignmentTasks).set({ lsTaskId }).where(eq(assignmentTasks.id, p.taskId));
    }
  }

  /** Gives up on an assignment: `fail` with the reason, its items back to the pool, LS project removed. */
  async function failDelivery(assignmentId: number, reason: string) {
    const row = await load(assignmentId);
    if (!row) return;
    const { assignment } = row;
    const failed = await db.transaction(async (tx) => {
      try {
        await applyTransition(tx, {
          organizationId: assignment.organizationId,
          entity: "assignment",
          entityId: assignmentId,
          transition: "fail",
          reason,
          context: { deliveryAttempts: assignment.deliveryAttempts },
        });
      } catch (error) {
        if (isAppError(error) && error.code === "CONFLICT") return false;
        throw error;
      }
      await tx
        .update(assignments)
        .set({ failureReason: reason.slice(0, 2000) })
        .where(eq(assignments.id, assignmentId));
      await returnItems(tx, assignment.organizationId, assignmentId, "delivery failed");
      return true;
    });
    if (failed && assignment.lsProjectId !== null) {
      try {
        await openInstance(row.annotator, deps.secrets).client.deleteProject(assignment.lsProjectId);
      } catch (error) {
        log.warn(
          { assignmentId, err: String(error) },
          "could not remove the LS project of a failed delivery",
        );
      }
    }
  }

  async function deliver(assignmentId: number) {
    const row = await load(assignmentId);
    if (row?.assignment.status !== "pending") return;
    const { assignment, annotator } = row;
    if (row.configXml === null) throw new AppError("CONFLICT", "The workflow has no labeling config");
    await db
      .update(assignments)
      .set({ deliveryAttempts: sql`${assignments.deliveryAttempts} + 1` })
      .where(eq(assignments.id, assignmentId));
    const ls = openInstance(annotator, deps.secrets);
    const projectId =
      assignment.lsProjectId ?? (await ensureProject(ls, assignmentId, row.workflowName, row.configXml));
    if (assignment.lsProjectId === null) {
      await db.update(assignments).set({ lsProjectId: projectId }).where(eq(assignments.id, assignmentId));
    }
    await ensureWebhook(ls, projectId, annotator.id);
    await importTasks(ls, assignmentId, projectId, dataKeysOf(row.configXml), controlsOf(row.configXml));
    try {
      await db.transaction(async (tx) => {
        await applyTransition(tx, {
          organizationId: assignment.organizationId,
          entity: "assignment",
          entityId: assignmentId,
          transition: "deliver",
          expectedState: "pending",
          context: { lsProjectId: projectId },
        });
        await tx.update(assignments).set({ startedAt: new Date() }).where(eq(assignments.id, assignmentId));
      });
    } catch (error) {
      // Cancelled while we were delivering: what we just imported must not stay in front of the annotator.
      if (isAppError(error) && error.code === "CONFLICT") await removeLsTasks(assignmentId);
      else throw error;
    }
  }

  /** Deletes the LS tasks of an assignment's unannotated tasks (after a cancel); best effort per task. */
  async function removeLsTasks(assignmentId: number) {
    const row = await load(assignmentId);
    if (!row) return;
    const tasks = await db
      .select({ lsTaskId: assignmentTasks.lsTaskId })
      .from(assignmentTasks)
      .where(and(eq(assignmentTasks.assignmentId, assignmentId), eq(assignmentTasks.isDone, false)));
    const ids = tasks.map((t) => t.lsTaskId).filter((id): id is number => id !== null);
    if (ids.length === 0) return;
    await openInstance(row.annotator, deps.secrets).deleteTasks(ids);
  }

  const backoffMs = (attempt: number) => Math.min(deps.backoffMs * 2 ** (attempt - 1), 300_000);

  const jobs = [
    defineJob({
      name: DELIVER_JOB,
      payload: AssignmentJobPayload,
      maxAttempts: deps.maxAttempts,
      backoffMs,
      async handler({ assignmentId }, { attempt }) {
        try {
          await deliver(assignmentId);
        } catch (error) {
          if (attempt < deps.maxAttempts) throw error;
          const reason = error instanceof Error ? error.message : String(error);
          log.warn({ assignmentId, attempt, reason }, "assignment delivery failed for good");
          await failDelivery(assignmentId, `Delivery failed after ${attempt} attempts: ${reason}`);
        }
      },
    }),
    defineJob({
      name: REMOVE_LS_TASKS_JOB,
      payload: AssignmentJobPayload,
      maxAttempts: 3,
      backoffMs,
      handler: ({ assignmentId }) => removeLsTasks(assignmentId),
    }),
  ];

  return { deliver, failDelivery, removeLsTasks, jobs };
}
export type Delivery = ReturnType<typeof createDelivery>;

/**
 * Returns an assignment's unannotated items to the pool inside `tx`: their claims stop counting and
 * items nobody holds any more go back from IN_PROGRESS to CREATED through the FSM (`release`).
 */
export async function returnItems(tx: Db, organizationId: number, assignmentId: number, reason: string) {
  const emptied = await releaseAssignmentItems(tx, assignmentId);
  if (emptied.length > 0) {
    await applyTransitionMany(tx, {
      organizationId,
      entity: "task",
      entityIds: emptied,
      transition: "release",
      reason,
      context: { assignmentId },
    });
  }
}
