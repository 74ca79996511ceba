import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { assignments, assignmentTasks } from "../../db/schema/index.js";
import { ensureGoldItems, pickGoldItems } from "../assignments/claim.repo.js";
import { gateOf } from "./quality-gate.js";

/**
 * Onboarding of the quality gate: while an annotator has received fewer than `onboardingGoldTasks`
 * tasks in the workflow, a claim hands out gold items only (up to what is still due and the batch
 * size). Runs inside the claim transaction, after the annotator row is locked. Returns the gold item
 * ids to deliver, or [] when onboarding is over, not configured, or no gold item is left (the claim
 * then proceeds normally).
 */
export async function claimOnboardingGold(
  tx: Db,
  workflow: {
    id: number;
    organizationId: number;
    labelingConfigId: number | null;
    imagesPerProject: number;
    qualityGate: unknown;
  },
  annotatorId: number,
): Promise<number[]> {
  const wanted = gateOf(workflow.qualityGate)?.onboardingGoldTasks ?? 0;
  if (wanted <= 0 || workflow.labelingConfigId === null) return [];
  const [received] = await tx
    .select({ n: sql<number>`count(*)` })
    .from(assignmentTasks)
    .innerJoin(assignments, eq(assignments.id, assignmentTasks.assignmentId))
    .where(and(eq(assignmentTasks.annotatorId, annotatorId), eq(assignments.workflowId, workflow.id)));
  const due = Math.min(wanted - Number(received?.n ?? 0), workflow.imagesPerProject);
  if (due <= 0) return [];
  await ensureGoldItems(tx, {
    organizationId: workflow.organizationId,
    workflowId: workflow.id,
    labelingConfigId: workflow.labelingConfigId,
  });
  return pickGoldItems(tx, { workflowId: workflow.id, annotatorId, count: due });
}
