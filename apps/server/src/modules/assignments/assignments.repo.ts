import { and, asc, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import {
  type AssignmentStatus,
  annotators,
  assignments,
  assignmentTasks,
  goldResults,
  items,
  labelingConfigs,
  roles,
  workflows,
} from "../../db/schema/index.js";
import type { Page } from "../../http/pagination.js";
import { found } from "../../lib/app-error.js";

export interface AssignmentFilters {
  workflowId?: number | undefined;
  annotatorId?: number | undefined;
  status?: AssignmentStatus | undefined;
}

const assignmentColumns = {
  id: assignments.id,
  workflowId: assignments.workflowId,
  annotatorId: assignments.annotatorId,
  lsProjectId: assignments.lsProjectId,
  taskCount: assignments.taskCount,
  goldTaskCount: assignments.goldTaskCount,
  completedCount: assignments.completedCount,
  status: assignments.status,
  failureReason: assignments.failureReason,
  deliveryAttempts: assignments.deliveryAttempts,
  exportKey: assignments.exportKey,
  startedAt: assignments.startedAt,
  completedAt: assignments.completedAt,
  createdAt: assignments.createdAt,
  updatedAt: assignments.updatedAt,
};

// Never the instance credentials: only what an admin list shows about the annotator.
const annotatorColumns = {
  id: annotators.id,
  name: annotators.name,
  email: annotators.email,
  status: annotators.status,
  roleId: annotators.roleId,
};

/** Reads of assignments with their relations, always scoped to one organization. */
export function createAssignmentRepo(db: Db) {
  return {
    async list(organizationId: number, filters: AssignmentFilters, page: Page) {
      const conditions: SQL[] = [eq(assignments.organizationId, organizationId)];
      if (filters.workflowId !== undefined) conditions.push(eq(assignments.workflowId, filters.workflowId));
      if (filters.annotatorId !== undefined)
        conditions.push(eq(assignments.annotatorId, filters.annotatorId));
      if (filters.status !== undefined) conditions.push(eq(assignments.status, filters.status));
      const where = and(...conditions);
      const rows = await db
        .select({
          ...assignmentColumns,
          annotator: annotatorColumns,
          workflow: { id: workflows.id, name: workflows.name },
        })
        .from(assignments)
        .innerJoin(annotators, eq(annotators.id, assignments.annotatorId))
        .innerJoin(workflows, eq(workflows.id, assignments.workflowId))
        .where(where)
        .orderBy(desc(assignments.id))
        .limit(page.limit)
        .offset(page.offset);
      const [count] = await db.select({ n: sql<number>`count(*)` }).from(assignments).where(where);
      return { rows, total: Number(count?.n ?? 0) };
    },

    /** One assignment with its annotator (and role), workflow (and labeling config), tasks, gold results. */
    async get(organizationId: number, id: number) {
      const [row] = await db
        .select({
          ...assignmentColumns,
          annotator: annotatorColumns,
          role: { id: roles.id, name: roles.name, color: roles.color },
          workflow: {
            id: workflows.id,
            name: workflows.name,
            roleId: workflows.roleId,
            labelingConfigId: workflows.labelingConfigId,
            imagesPerProject: workflows.imagesPerProject,
            goldStandardRate: workflows.goldStandardRate,
            annotationsPerItem: workflows.annotationsPerItem,
            isActive: workflows.isActive,
          },
          labelingConfig: {
            id: labelingConfigs.id,
            name: labelingConfigs.name,
            configXml: labelingConfigs.configXml,
          },
        })
        .from(assignments)
        .innerJoin(annotators, eq(annotators.id, assignments.annotatorId))
        .innerJoin(workflows, eq(workflows.id, assignments.workflowId))
        .leftJoin(roles, eq(roles.id, annotators.roleId))
        .leftJoin(labelingConfigs, eq(labelingConfigs.id, workflows.labelingConfigId))
        .where(and(eq(assignments.organizationId, organizationId), eq(assignments.id, id)));
      const { role, labelingConfig, annotator, workflow, ...assignment } = found(row, "Assignment");
      const tasks = await db
        .select({
          id: assignmentTasks.id,
          itemId: assignmentTasks.itemId,
          position: assignmentTasks.position,
          isGold: assignmentTasks.isGold,
          lsTaskId: assignmentTasks.lsTaskId,
          isDone: assignmentTasks.isDone,
          completedAt: assignmentTasks.completedAt,
          releasedAt: assignmentTasks.releasedAt,
          sourceKey: items.sourceKey,
          storageKey: items.storageKey,
        })
        .from(assignmentTasks)
        .innerJoin(items, eq(items.id, assignmentTasks.itemId))
        .where(eq(assignmentTasks.assignmentId, id))
        .orderBy(asc(assignmentTasks.position));
      const gold = await db
        .select({
          id: goldResults.id,
          goldTaskId: goldResults.goldTaskId,
          annotationId: goldResults.annotationId,
          score: goldResults.score,
          dimensionScores: goldResults.dimensionScores,
          evaluatedAt: goldResults.evaluatedAt,
        })
        .from(goldResults)
        .where(and(eq(goldResults.organizationId, organizationId), eq(goldResults.assignmentId, id)))
        .orderBy(asc(goldResults.id));
      return {
        ...assignment,
        annotator: { ...annotator, role: role?.id ? role : null },
        workflow: { ...workflow, labelingConfig: labelingConfig?.id ? labelingConfig : null },
        tasks,
        goldResults: gold,
      };
    },
  };
}
export type AssignmentRepo = ReturnType<typeof createAssignmentRepo>;
