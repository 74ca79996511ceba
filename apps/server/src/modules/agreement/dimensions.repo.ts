import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { agreementDimensions, labelingConfigs, workflows } from "../../db/schema/index.js";
import { type DimensionPlan, dimensionControls, isEmptyPlan, planDimensionSync } from "./dimension-sync.js";

export type DimensionRow = typeof agreementDimensions.$inferSelect;

/** The workflow and its labeling config XML, or null when it is not in the organization. */
export async function findWorkflowConfig(db: Db, organizationId: number, workflowId: number) {
  const [row] = await db
    .select({
      id: workflows.id,
      organizationId: workflows.organizationId,
      labelingConfigId: workflows.labelingConfigId,
      configXml: labelingConfigs.configXml,
    })
    .from(workflows)
    .leftJoin(labelingConfigs, eq(labelingConfigs.id, workflows.labelingConfigId))
    .where(and(eq(workflows.organizationId, organizationId), eq(workflows.id, workflowId)));
  return row ?? null;
}

export async function listDimensionRows(db: Db, workflowId: number) {
  return db
    .select()
    .from(agreementDimensions)
    .where(eq(agreementDimensions.workflowId, workflowId))
    .orderBy(asc(agreementDimensions.order), asc(agreementDimensions.id));
}

async function applyPlan(tx: Db, organizationId: number, workflowId: number, plan: DimensionPlan) {
  if (plan.remove.length > 0) {
    await tx.delete(agreementDimensions).where(inArray(agreementDimensions.id, plan.remove));
  }
  for (const { id, patch } of plan.update) {
    await tx
      .update(agreementDimensions)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(agreementDimensions.id, id));
  }
  if (plan.insert.length > 0) {
    await tx
      .insert(agreementDimensions)
      .values(plan.insert.map((d) => ({ ...d, organizationId, workflowId, isUserDefined: false })))
      .onConflictDoNothing();
  }
}

/**
 * Makes the workflow's dimensions match its labeling config (one system dimension per control).
 * Serialised per workflow by an advisory lock, so a config hook and a recompute job that sync at the
 * same time cannot both insert. Returns true when something changed (stored matrices are then stale).
 */
export async function syncDimensions(db: Db, organizationId: number, workflowId: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('agreement-dimensions'), ${workflowId})`);
    const workflow = await findWorkflowConfig(tx as Db, organizationId, workflowId);
    if (!workflow) return false;
    const existing = await listDimensionRows(tx as Db, workflowId);
    const plan = planDimensionSync(dimensionControls(workflow.configXml), existing);
    if (isEmptyPlan(plan)) return false;
    await applyPlan(tx as Db, organizationId, workflowId, plan);
    return true;
  });
}
