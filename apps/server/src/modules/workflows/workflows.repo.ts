import { and, asc, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { assignments, labelingConfigs, roles, workflows } from "../../db/schema/index.js";
import type { Page } from "../../http/pagination.js";
import { countItems } from "../items/items.repo.js";

// Chains are short in practice; the bound only stops a corrupted (cyclic) table from looping forever.
const MAX_CHAIN_DEPTH = 1000;

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

const columns = {
  id: workflows.id,
  name: workflows.name,
  roleId: workflows.roleId,
  labelingConfigId: workflows.labelingConfigId,
  previousWorkflowId: workflows.previousWorkflowId,
  s3SourcePath: workflows.s3SourcePath,
  s3ExportPath: workflows.s3ExportPath,
  imagesPerProject: workflows.imagesPerProject,
  maxProjects: workflows.maxProjects,
  estimatedTimeMinutes: workflows.estimatedTimeMinutes,
  autoAssign: workflows.autoAssign,
  goldStandardRate: workflows.goldStandardRate,
  shuffleImages: workflows.shuffleImages,
  isActive: workflows.isActive,
  annotationsPerItem: workflows.annotationsPerItem,
  rejectionMode: workflows.rejectionMode,
  rejectionArchiveBucket: workflows.rejectionArchiveBucket,
  rejectionRouteWorkflowId: workflows.rejectionRouteWorkflowId,
  rejectionReturnToOriginal: workflows.rejectionReturnToOriginal,
  rejectionFlagAnnotator: workflows.rejectionFlagAnnotator,
  maxReworkIterations: workflows.maxReworkIterations,
  state: workflows.state,
  createdAt: workflows.createdAt,
  updatedAt: workflows.updatedAt,
  roleName: roles.name,
  roleColor: roles.color,
  labelingConfigName: labelingConfigs.name,
};

type Row = Awaited<ReturnType<typeof selectRows>>[number];

function selectRows(db: Db, where: SQL | undefined, page?: Page) {
  const query = db
    .select(columns)
    .from(workflows)
    .leftJoin(roles, eq(roles.id, workflows.roleId))
    .leftJoin(labelingConfigs, eq(labelingConfigs.id, workflows.labelingConfigId))
    .where(where)
    .orderBy(asc(workflows.id));
  return page ? query.limit(page.limit).offset(page.offset) : query;
}

/** The spec's workflow object: every column, the item counts, and the role and config summaries. */
async function present(db: Db, organizationId: number, rows: Row[]) {
  const counts = await countItems(
    db,
    organizationId,
    rows.map((r) => r.id),
  );
  return rows.map(({ roleName, roleColor, labelingConfigName, ...row }) => {
    const count = counts.get(row.id) ?? { available: 0, assigned: 0 };
    return {
      ...row,
      totalImagesAvailable: count.available,
      totalImagesAssigned: count.assigned,
      role: row.roleId === null ? null : { id: row.roleId, name: roleName ?? "", color: roleColor },
      labelingConfig:
        row.labelingConfigId === null ? null : { id: row.labelingConfigId, name: labelingConfigName ?? "" },
    };
  });
}
export type WorkflowView = Awaited<ReturnType<typeof present>>[number];

const inOrganization = (organizationId: number) => eq(workflows.organizationId, organizationId);

/** One page of the organization's workflows, presented, with the total. */
export async function listWorkflows(db: Db, organizationId: number, page: Page) {
  const rows = await selectRows(db, inOrganization(organizationId), page);
  const [count] = await db
    .select({ n: sql<number>`count(*)` })
    .from(workflows)
    .where(inOrganization(organizationId));
  return { rows: await present(db, organizationId, rows), total: Number(count?.n ?? 0) };
}

/** Presented workflows by id (in id order); ids of other organizations are simply absent. */
export async function findWorkflows(db: Db, organizationId: number, ids: number[]) {
  if (ids.length === 0) return [];
  const rows = await selectRows(db, and(inOrganization(organizationId), inArray(workflows.id, ids)));
  return present(db, organizationId, rows);
}

/** The raw row (no joins, no counts), or null. */
export async function findWorkflowRow(db: Db, organizationId: number, id: number) {
  const [row] = await db
    .select()
    .from(workflows)
    .where(and(inOrganization(organizationId), eq(workflows.id, id)));
  return row ?? null;
}
export type WorkflowRow = typeof workflows.$inferSelect;

/** Ids upstream of `id` through previousWorkflowId, nearest first, `id` itself excluded. */
export async function upstreamIds(db: Db, organizationId: number, id: number): Promise<number[]> {
  const rows = rowsOf<{ id: number; depth: number }>(
    await db.execute(sql`with recursive up(id, previous_id, depth) as (
        select id, previous_workflow_id, 0 from ${workflows} where id = ${id} and organization_id = ${organizationId}
        union all
        select w.id, w.previous_workflow_id, up.depth + 1 from ${workflows} w join up on w.id = up.previous_id
        where w.organization_id = ${organizationId} and up.depth < ${MAX_CHAIN_DEPTH}
      ) select id, depth from up where depth > 0 order by depth`),
  );
  return rows.map((r) => Number(r.id));
}

/** Ids downstream of `id` (workflows chained after it, transitively) with their distance from it. */
export async function downstreamIds(db: Db, organizationId: number, id: number) {
  const rows = rowsOf<{ id: number; depth: number }>(
    await db.execute(sql`with recursive down(id, depth) as (
        select id, 0 from ${workflows} where id = ${id} and organization_id = ${organizationId}
        union all
        select w.id, down.depth + 1 from ${workflows} w join down on w.previous_workflow_id = down.id
        where w.organization_id = ${organizationId} and down.depth < ${MAX_CHAIN_DEPTH}
      ) select id, depth from down where depth > 0 order by depth, id`),
  );
  return rows.map((r) => ({ id: Number(r.id), depth: Number(r.depth) }));
}

/** Ids of the given ids that exist in `table` within the organization. */
export async function existingIds(
  db: Db,
  table: typeof roles | typeof labelingConfigs | typeof workflows,
  organizationId: number,
  ids: number[],
): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.organizationId, organizationId), inArray(table.id, ids)));
  return new Set(rows.map((r) => r.id));
}

/** What still points at a workflow: its assignments and the workflows chained or routed to it. */
export async function workflowUsage(db: Db, organizationId: number, id: number) {
  const [assigned] = await db
    .select({ n: sql<number>`count(*)` })
    .from(assignments)
    .where(and(eq(assignments.organizationId, organizationId), eq(assignments.workflowId, id)));
  const referencing = await db
    .select({ id: workflows.id })
    .from(workflows)
    .where(
      and(
        inOrganization(organizationId),
        or(eq(workflows.previousWorkflowId, id), eq(workflows.rejectionRouteWorkflowId, id)),
      ),
    );
  return { assignments: Number(assigned?.n ?? 0), referencedBy: referencing.map((r) => r.id) };
}

/**
 * Serialises changes to the organization's workflow graph (create, chain edits, delete) so two
 * concurrent edits cannot each pass the cycle check and together form a cycle. Transaction-scoped.
 */
export async function lockWorkflowGraph(tx: Db, organizationId: number) {
  await tx.execute(sql`select pg_advisory_xact_lock(1279678278, ${organizationId})`);
}
