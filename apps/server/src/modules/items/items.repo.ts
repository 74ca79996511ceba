import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { items } from "../../db/schema/index.js";

export interface ItemCounts {
  /** Items to annotate (every kind but gold): the spec's `totalImagesAvailable`. */
  available: number;
  /** Of those, items held by at least one annotator: the spec's `totalImagesAssigned`. */
  assigned: number;
}

/**
 * Inserts source items for `keys` (sourceKey = storageKey = the object key) in one statement; keys
 * the workflow already has are skipped (ON CONFLICT DO NOTHING), so a re-run or a resumed sync never
 * duplicates. Returns how many rows were new. The keys travel as one JSON parameter: a statement
 * with 5 parameters per row costs more to build and parse than the insert itself.
 */
export async function insertSourceItems(
  db: Db,
  target: { organizationId: number; workflowId: number },
  keys: string[],
): Promise<number> {
  if (keys.length === 0) return 0;
  const result = await db.execute(sql`with added as (
      insert into ${items} (organization_id, workflow_id, kind, source_key, storage_key)
      select ${target.organizationId}, ${target.workflowId}, 'source', k, k
      from jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb) as k
      on conflict (workflow_id, source_key) do nothing
      returning 1
    ) select count(*)::int as n from added`);
  return Number((result as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0);
}

/** Item counts of several workflows in one aggregate query (workflows without items get zeros). */
export async function countItems(
  db: Db,
  organizationId: number,
  workflowIds: number[],
): Promise<Map<number, ItemCounts>> {
  const counts = new Map<number, ItemCounts>(workflowIds.map((id) => [id, { available: 0, assigned: 0 }]));
  if (workflowIds.length === 0) return counts;
  const rows = await db
    .select({
      workflowId: items.workflowId,
      available: sql<number>`count(*)`,
      assigned: sql<number>`count(*) filter (where ${items.assignedCount} > 0)`,
    })
    .from(items)
    .where(
      and(
        eq(items.organizationId, organizationId),
        inArray(items.workflowId, workflowIds),
        sql`${items.kind} <> 'gold'`,
      ),
    )
    .groupBy(items.workflowId);
  for (const row of rows) {
    counts.set(row.workflowId, { available: Number(row.available), assigned: Number(row.assigned) });
  }
  return counts;
}

/** Item counts of one workflow. */
export async function countWorkflowItems(db: Db, organizationId: number, workflowId: number) {
  return (await countItems(db, organizationId, [workflowId])).get(workflowId)!;
}
