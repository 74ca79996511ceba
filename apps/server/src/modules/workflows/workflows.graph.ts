import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { assignments, assignmentTasks, rejections, roles, workflows } from "../../db/schema/index.js";

export interface WorkflowNode {
  id: number;
  name: string;
  type: "workflow";
  roleId: number | null;
  roleName: string | null;
  roleColor: string | null;
  isActive: boolean;
  rejectionMode: string;
  stats: {
    totalAssignments: number;
    completedAssignments: number;
    activeAnnotators: number;
    rejectionRate: number;
  };
}
export interface TerminalNode {
  id: string;
  name: string;
  type: "terminal";
}
export interface WorkflowEdge {
  source: number;
  target: number | string;
  type: "chain" | "rejection";
  label: "accept" | "reject";
}

/**
 * The organization's workflow DAG (spec `GET /api/workflows/graph`). Stats come from three
 * aggregate queries grouped by workflow, never a query per node:
 * - totalAssignments / completedAssignments: the workflow's assignments, all and completed;
 * - activeAnnotators: distinct annotators holding a pending or in-progress assignment of it;
 * - rejectionRate: rejections decided in the workflow (it is the reviewer's) over the non-gold
 *   tasks annotated in it (0 when none).
 * A workflow whose rejection mode is `archive` gets a terminal node `archive-<id>`.
 */
export async function buildWorkflowGraph(db: Db, organizationId: number) {
  const rows = await db
    .select({
      id: workflows.id,
      name: workflows.name,
      roleId: workflows.roleId,
      roleName: roles.name,
      roleColor: roles.color,
      isActive: workflows.isActive,
      rejectionMode: workflows.rejectionMode,
      previousWorkflowId: workflows.previousWorkflowId,
      rejectionRouteWorkflowId: workflows.rejectionRouteWorkflowId,
    })
    .from(workflows)
    .leftJoin(roles, eq(roles.id, workflows.roleId))
    .where(eq(workflows.organizationId, organizationId))
    .orderBy(asc(workflows.id));

  const assignmentStats = await db
    .select({
      workflowId: assignments.workflowId,
      total: sql<number>`count(*)`,
      completed: sql<number>`count(*) filter (where ${assignments.status} = 'completed')`,
      active: sql<number>`count(distinct ${assignments.annotatorId}) filter (where ${assignments.status} in ('pending', 'in_progress'))`,
    })
    .from(assignments)
    .where(eq(assignments.organizationId, organizationId))
    .groupBy(assignments.workflowId);
  const annotated = await db
    .select({ workflowId: assignments.workflowId, n: sql<number>`count(*)` })
    .from(assignmentTasks)
    .innerJoin(assignments, eq(assignments.id, assignmentTasks.assignmentId))
    .where(
      and(
        eq(assignments.organizationId, organizationId),
        eq(assignmentTasks.isDone, true),
        eq(assignmentTasks.isGold, false),
      ),
    )
    .groupBy(assignments.workflowId);
  const rejected = await db
    .select({ workflowId: rejections.workflowId, n: sql<number>`count(*)` })
    .from(rejections)
    .where(eq(rejections.organizationId, organizationId))
    .groupBy(rejections.workflowId);

  const statsOf = new Map(assignmentStats.map((s) => [s.workflowId, s]));
  const annotatedOf = new Map(annotated.map((a) => [a.workflowId, Number(a.n)]));
  const rejectedOf = new Map(rejected.map((r) => [r.workflowId, Number(r.n)]));

  const nodes: (WorkflowNode | TerminalNode)[] = [];
  const edges: WorkflowEdge[] = [];
  for (const row of rows) {
    const stats = statsOf.get(row.id);
    const done = annotatedOf.get(row.id) ?? 0;
    nodes.push({
      id: row.id,
      name: row.name,
      type: "workflow",
      roleId: row.roleId,
      roleName: row.roleName,
      roleColor: row.roleColor,
      isActive: row.isActive,
      rejectionMode: row.rejectionMode,
      stats: {
        totalAssignments: Number(stats?.total ?? 0),
        completedAssignments: Number(stats?.completed ?? 0),
        activeAnnotators: Number(stats?.active ?? 0),
        rejectionRate: done > 0 ? Math.min(1, (rejectedOf.get(row.id) ?? 0) / done) : 0,
      },
    });
    if (row.previousWorkflowId !== null) {
      edges.push({ source: row.previousWorkflowId, target: row.id, type: "chain", label: "accept" });
    }
    if (row.rejectionMode === "route_to_workflow" && row.rejectionRouteWorkflowId !== null) {
      edges.push({
        source: row.id,
        target: row.rejectionRouteWorkflowId,
        type: "rejection",
        label: "reject",
      });
    }
    if (row.rejectionMode === "archive") {
      nodes.push({ id: `archive-${row.id}`, name: "Archive", type: "terminal" });
      edges.push({ source: row.id, target: `archive-${row.id}`, type: "rejection", label: "reject" });
    }
  }
  return { nodes, edges };
}
