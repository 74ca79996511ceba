import { aliasedTable, and, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import {
  annotators,
  assignments,
  type REJECTION_ACTIONS,
  rejections,
  workflows,
} from "../../db/schema/index.js";
import type { Page } from "../../http/pagination.js";
import { found } from "../../lib/app-error.js";

export type RejectionAction = (typeof REJECTION_ACTIONS)[number];

export interface RejectionFilters {
  workflowId?: number | undefined;
  annotatorId?: number | undefined;
  actionTaken?: RejectionAction | undefined;
}

const original = aliasedTable(annotators, "original_annotator");
const reviewer = aliasedTable(annotators, "reviewer_annotator");
const annotatorRef = (t: typeof annotators) => ({ id: t.id, name: t.name, email: t.email, status: t.status });

const assignmentRef = (id: number | null, rows: Map<number, unknown>) =>
  id === null ? null : (rows.get(id) ?? null);

/** Reads of the rejection audit trail, always scoped to one organization. */
export function createRejectionsRepo(db: Db) {
  return {
    /** One page, newest first, with the original and reviewer annotators. */
    async list(organizationId: number, filters: RejectionFilters, page: Page) {
      const conditions: SQL[] = [eq(rejections.organizationId, organizationId)];
      if (filters.workflowId !== undefined) conditions.push(eq(rejections.workflowId, filters.workflowId));
      if (filters.annotatorId !== undefined)
        conditions.push(eq(rejections.originalAnnotatorId, filters.annotatorId));
      if (filters.actionTaken !== undefined) conditions.push(eq(rejections.actionTaken, filters.actionTaken));
      const where = and(...conditions);
      const rows = await db
        .select({
          rejection: rejections,
          originalAnnotator: annotatorRef(original),
          reviewerAnnotator: annotatorRef(reviewer),
        })
        .from(rejections)
        .leftJoin(original, eq(original.id, rejections.originalAnnotatorId))
        .leftJoin(reviewer, eq(reviewer.id, rejections.reviewerAnnotatorId))
        .where(where)
        .orderBy(desc(rejections.createdAt), desc(rejections.id))
        .limit(page.limit)
        .offset(page.offset);
      const [count] = await db.select({ n: sql<number>`count(*)` }).from(rejections).where(where);
      return {
        rows: rows.map((r) => ({
          ...r.rejection,
          originalAnnotator: r.originalAnnotator,
          reviewerAnnotator: r.reviewerAnnotator,
        })),
        total: Number(count?.n ?? 0),
      };
    },

    /**
     * One rejection with its relations: original and reviewer annotators, the reviewer's assignment
     * (with its workflow), the original assignment and the assignment the work was routed to.
     */
    async get(organizationId: number, id: number) {
      const [row] = await db
        .select({
          rejection: rejections,
          originalAnnotator: annotatorRef(original),
          reviewerAnnotator: annotatorRef(reviewer),
        })
        .from(rejections)
        .leftJoin(original, eq(original.id, rejections.originalAnnotatorId))
        .leftJoin(reviewer, eq(reviewer.id, rejections.reviewerAnnotatorId))
        .where(and(eq(rejections.organizationId, organizationId), eq(rejections.id, id)));
      const found_ = found(row, "Rejection");
      const r = found_.rejection;
      const ids = [r.reviewerAssignmentId, r.originalAssignmentId, r.routedToAssignmentId].filter(
        (v): v is number => v !== null,
      );
      const linked = new Map<number, unknown>();
      for (const assignmentId of new Set(ids)) {
        const [a] = await db
          .select({
            id: assignments.id,
            workflowId: assignments.workflowId,
            annotatorId: assignments.annotatorId,
            lsProjectId: assignments.lsProjectId,
            taskCount: assignments.taskCount,
            completedCount: assignments.completedCount,
            status: assignments.status,
            createdAt: assignments.createdAt,
            workflow: { id: workflows.id, name: workflows.name, rejectionMode: workflows.rejectionMode },
          })
          .from(assignments)
          .innerJoin(workflows, eq(workflows.id, assignments.workflowId))
          .where(and(eq(assignments.id, assignmentId), eq(assignments.organizationId, organizationId)));
        if (a) linked.set(assignmentId, a);
      }
      return {
        ...r,
        originalAnnotator: found_.originalAnnotator,
        reviewerAnnotator: found_.reviewerAnnotator,
        reviewerAssignment: assignmentRef(r.reviewerAssignmentId, linked),
        originalAssignment: assignmentRef(r.originalAssignmentId, linked),
        routedToAssignment: assignmentRef(r.routedToAssignmentId, linked),
      };
    },
  };
}
export type RejectionsRepo = ReturnType<typeof createRejectionsRepo>;
