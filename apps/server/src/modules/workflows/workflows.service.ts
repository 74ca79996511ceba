import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { type RejectionMode, workflows } from "../../db/schema/index.js";
import type { Page } from "../../http/pagination.js";
import { AppError, found } from "../../lib/app-error.js";
import { PG_FOREIGN_KEY_VIOLATION, pgErrorCode } from "../../lib/db-errors.js";
import type { Logger } from "../../lib/logger.js";
import { canTransition } from "../fsm/machines.js";
import { applyTransition, recordCreation } from "../fsm/transition.js";
import type { ItemSyncService } from "../items/item-sync.service.js";
import { buildWorkflowGraph } from "./workflows.graph.js";
import {
  downstreamIds,
  findWorkflowRow,
  findWorkflows,
  listWorkflows,
  lockWorkflowGraph,
  upstreamIds,
  workflowUsage,
} from "./workflows.repo.js";
import { type Issue, throwIssues, workflowIssues } from "./workflows.rules.js";

export interface WorkflowInput {
  name: string;
  roleId?: number | null | undefined;
  labelingConfigId?: number | null | undefined;
  previousWorkflowId?: number | null | undefined;
  s3SourcePath: string;
  s3ExportPath: string;
  imagesPerProject?: number | undefined;
  maxProjects?: number | null | undefined;
  estimatedTimeMinutes?: number | null | undefined;
  autoAssign?: boolean | undefined;
  goldStandardRate?: number | undefined;
  shuffleImages?: boolean | undefined;
  annotationsPerItem?: number | undefined;
  rejectionMode?: RejectionMode | undefined;
  rejectionArchiveBucket?: string | null | undefined;
  rejectionRouteWorkflowId?: number | null | undefined;
  rejectionReturnToOriginal?: boolean | undefined;
  rejectionFlagAnnotator?: boolean | undefined;
  maxReworkIterations?: number | null | undefined;
}
export type WorkflowUpdate = Partial<WorkflowInput> & { isActive?: boolean | undefined };

/** A bulk entry may reference an earlier entry of the same request as `"$<index>"`. */
export type BatchRef = number | `$${number}` | null | undefined;
export type BulkWorkflowInput = Omit<WorkflowInput, "previousWorkflowId" | "rejectionRouteWorkflowId"> & {
  previousWorkflowId?: BatchRef | string;
  rejectionRouteWorkflowId?: BatchRef | string;
};

/** Fired after a commit that set or changed a workflow's labeling config (agreement dimensions). */
export interface LabelingConfigChange {
  organizationId: number;
  workflowId: number;
  labelingConfigId: number | null;
  previousLabelingConfigId: number | null;
}
export type LabelingConfigListener = (change: LabelingConfigChange) => void | Promise<void>;

export interface WorkflowServiceDeps {
  db: Db;
  itemSync: Pick<ItemSyncService, "enqueue">;
  log: Logger;
  /** Optional first listener; more can subscribe with `onLabelingConfigChanged`. */
  onLabelingConfigChanged?: LabelingConfigListener;
}

/**
 * Workflows (LS Enterprise: projects): CRUD with the spec's rules, chaining, pause/resume through
 * the workflow state machine, and the item sync that a new workflow starts. Every query is scoped to
 * the caller's organization; another organization's workflow is a 404.
 */
export function createWorkflowService(deps: WorkflowServiceDeps) {
  const { db, itemSync, log } = deps;
  const listeners = new Set<LabelingConfigListener>();
  if (deps.onLabelingConfigChanged) listeners.add(deps.onLabelingConfigChanged);

  async function notify(changes: LabelingConfigChange[]) {
    for (const change of changes) {
      for (const listener of listeners) {
        try {
          await listener(change);
        } catch (error) {
          // The workflow is committed; a failing listener must not turn that into an error.
          log.error({ err: error, workflowId: change.workflowId }, "labeling config listener failed");
        }
      }
    }
  }

  /** Inserts one validated workflow (inside `tx`), records its FSM creation, starts its item sync. */
  async function insertOne(
    tx: Db,
    organizationId: number,
    input: WorkflowInput,
    actorId: number | null,
    at: (string | number)[] = [],
  ) {
    const merged = { rejectionMode: "none" as const, ...input };
    throwIssues(await workflowIssues(tx, organizationId, merged, input, null, at));
    const [row] = await tx
      .insert(workflows)
      .values({ ...input, organizationId })
      .returning({ id: workflows.id, state: workflows.state });
    const id = row!.id;
    await recordCreation(tx, {
      organizationId,
      entity: "workflow",
      entityId: id,
      state: row!.state,
      triggeredBy: actorId,
    });
    // Chained workflows receive their items from upstream completions, not from their prefix.
    if (input.previousWorkflowId == null) await itemSync.enqueue({ organizationId, workflowId: id }, tx);
    return id;
  }

  const configChange = (organizationId: number, workflowId: number, id: number | null | undefined) =>
    id == null ? [] : [{ organizationId, workflowId, labelingConfigId: id, previousLabelingConfigId: null }];

  const service = {
    list: (organizationId: number, page: Page) => listWorkflows(db, organizationId, page),

    /** The presented workflow (counts, role, labeling config); throws NOT_FOUND. */
    async get(organizationId: number, id: number, tx: Db = db) {
      const [view] = await findWorkflows(tx, organizationId, [id]);
      return found(view, "Workflow");
    },

    /** The plain row, without joins or counts (cheap; for other services); throws NOT_FOUND. */
    async getRow(organizationId: number, id: number, tx: Db = db) {
      return found(await findWorkflowRow(tx, organizationId, id), "Workflow");
    },

    /**
     * The workflow with its chain traced from the origin (no previous workflow) to the terminal
     * nodes: the upstream line, the workflow, then everything chained after it (by distance).
     */
    async getWithChain(organizationId: number, id: number) {
      const view = await service.get(organizationId, id);
      const upstream = (await upstreamIds(db, organizationId, id)).reverse();
      const downstream = await downstreamIds(db, organizationId, id);
      const ids = [...upstream, id, ...downstream.map((d) => d.id)];
      const depthOf = new Map<number, number>(upstream.map((wid, i) => [wid, i]));
      depthOf.set(id, upstream.length);
      for (const d of downstream) depthOf.set(d.id, upstream.length + d.depth);
      const rows = await db
        .select({
          id: workflows.id,
          name: workflows.name,
          previousWorkflowId: workflows.previousWorkflowId,
          roleId: workflows.roleId,
          isActive: workflows.isActive,
          state: workflows.state,
        })
        .from(workflows)
        .where(and(eq(workflows.organizationId, organizationId), inArray(workflows.id, ids)));
      const byId = new Map(rows.map((r) => [r.id, r]));
      const chain = ids.flatMap((wid) => {
        const row = byId.get(wid);
        if (!row) return [];
        const isTerminal = !rows.some((r) => r.previousWorkflowId === wid);
        return [{ ...row, depth: depthOf.get(wid)!, isCurrent: wid === id, isTerminal }];
      });
      return { ...view, chain };
    },

    /** Creates a workflow (its item sync starts as a job); throws 400 on a broken rule. */
    async create(organizationId: number, input: WorkflowInput, actorId: number | null = null) {
      const id = await db.transaction(async (tx) => {
        await lockWorkflowGraph(tx, organizationId);
        return insertOne(tx, organizationId, input, actorId);
      });
      await notify(configChange(organizationId, id, input.labelingConfigId));
      return service.get(organizationId, id);
    },

    /**
     * Creates up to 50 workflows, all or nothing, in order. A reference may be an existing workflow
     * id or `"$<i>"`, the i-th entry of this request, which must come earlier (so a batch builds a
     * chain front to back and cannot form a cycle).
     */
    async createMany(organizationId: number, inputs: BulkWorkflowInput[], actorId: number | null = null) {
      const ids = await db.transaction(async (tx) => {
        await lockWorkflowGraph(tx, organizationId);
        const created: number[] = [];
        for (const [index, entry] of inputs.entries()) {
          const at = ["workflows", index];
          const issues: Issue[] = [];
          const resolve = (field: "previousWorkflowId" | "rejectionRouteWorkflowId") => {
            const ref = entry[field];
            if (typeof ref !== "string") return ref;
            const target = Number(ref.slice(1));
            if (!/^\$\d+$/.test(ref) || target >= index) {
              issues.push({
                path: [...at, field],
                message: `${ref} must name an earlier entry of this request`,
              });
              return null;
            }
            return created[target]!;
          };
          const input: WorkflowInput = {
            ...entry,
            previousWorkflowId: resolve("previousWorkflowId"),
            rejectionRouteWorkflowId: resolve("rejectionRouteWorkflowId"),
          };
          throwIssues(issues);
          created.push(await insertOne(tx, organizationId, input, actorId, at));
        }
        return created;
      });
      await notify(ids.flatMap((id, i) => configChange(organizationId, id, inputs[i]?.labelingConfigId)));
      return findWorkflows(db, organizationId, ids);
    },

    /**
     * Updates the given fields (rules checked on the result). `isActive` false/true pauses/resumes
     * the workflow through the state machine when its state allows it; a new source path starts a
     * sync of the new prefix (items already synced stay).
     */
    async update(organizationId: number, id: number, patch: WorkflowUpdate, actorId: number | null = null) {
      const { isActive, ...fields } = patch;
      const previousConfig = await db.transaction(async (tx) => {
        await lockWorkflowGraph(tx, organizationId);
        const current = await service.getRow(organizationId, id, tx);
        const merged = { ...current, ...fields };
        throwIssues(await workflowIssues(tx, organizationId, merged, fields, id));
        await tx
          .update(workflows)
          .set({ ...fields, ...(isActive === undefined ? {} : { isActive }), updatedAt: new Date() })
          .where(and(eq(workflows.organizationId, organizationId), eq(workflows.id, id)));
        const transition = isActive === undefined ? null : isActive ? "resume" : "pause";
        if (transition && canTransition("workflow", current.state, transition)) {
          await applyTransition(tx, {
            organizationId,
            entity: "workflow",
            entityId: id,
            transition,
            triggeredBy: actorId,
            reason: `isActive set to ${isActive}`,
            expectedState: current.state,
          });
        }
        const sourceChanged =
          fields.s3SourcePath !== undefined && fields.s3SourcePath !== current.s3SourcePath;
        if (sourceChanged && merged.previousWorkflowId == null) {
          await itemSync.enqueue({ organizationId, workflowId: id }, tx);
        }
        return current.labelingConfigId;
      });
      if (fields.labelingConfigId !== undefined && fields.labelingConfigId !== previousConfig) {
        await notify([
          {
            organizationId,
            workflowId: id,
            labelingConfigId: fields.labelingConfigId,
            previousLabelingConfigId: previousConfig,
          },
        ]);
      }
      return service.get(organizationId, id);
    },

    /** Deletes a workflow and its items; 409 while assignments or other workflows reference it. */
    async remove(organizationId: number, id: number) {
      try {
        await db.transaction(async (tx) => {
          await lockWorkflowGraph(tx, organizationId);
          await service.getRow(organizationId, id, tx);
          const usage = await workflowUsage(tx, organizationId, id);
          if (usage.assignments > 0) {
            throw new AppError(
              "CONFLICT",
              `Cannot delete: the workflow has ${usage.assignments} assignment(s)`,
            );
          }
          if (usage.referencedBy.length > 0) {
            throw new AppError(
              "CONFLICT",
              `Cannot delete: workflow(s) ${usage.referencedBy.join(", ")} chain after it or route rejections to it`,
            );
          }
          await tx
            .delete(workflows)
            .where(and(eq(workflows.organizationId, organizationId), eq(workflows.id, id)));
        });
      } catch (error) {
        // An assignment created between the check and the delete: the foreign key refuses it.
        if (pgErrorCode(error) === PG_FOREIGN_KEY_VIOLATION) {
          throw new AppError("CONFLICT", "Cannot delete: the workflow is in use");
        }
        throw error;
      }
    },

    /** The workflow DAG (nodes with stats, archive terminals, chain and rejection edges). */
    graph: (organizationId: number) => buildWorkflowGraph(db, organizationId),

    /**
     * Subscribes to labeling-config changes of workflows (set on create, changed on update); the
     * agreement module syncs its dimensions from it. Returns the unsubscribe function.
     */
    onLabelingConfigChanged(listener: LabelingConfigListener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return service;
}
export type WorkflowService = ReturnType<typeof createWorkflowService>;
