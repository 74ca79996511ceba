import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { agreementMatrices, annotations, items, predictions } from "../../db/schema/index.js";
import type { TaskMatrices } from "./task-matrix.js";

/** The overall matrix row of a task has dimension ''; per-dimension rows hold the dimension id. */
export const OVERALL = "";

export const annotatorParticipant = (annotatorId: number) => `annotator:${annotatorId}`;
export const modelParticipant = (version: string) => `model:${version}`;

export interface ItemParticipants {
  itemId: number;
  participants: { id: string; result: unknown[] }[];
}

/**
 * The participants of each item: per annotator the latest live annotation (not DELETED, not
 * skipped), ordered by annotator id, then every prediction as `model:<version>`, ordered by version.
 */
export async function loadParticipants(db: Db, itemIds: readonly number[]): Promise<ItemParticipants[]> {
  if (itemIds.length === 0) return [];
  const ids = [...itemIds];
  const annotationRows = await db
    .selectDistinctOn([annotations.itemId, annotations.annotatorId], {
      itemId: annotations.itemId,
      annotatorId: annotations.annotatorId,
      result: annotations.result,
    })
    .from(annotations)
    .where(
      and(
        inArray(annotations.itemId, ids),
        sql`${annotations.state} <> 'DELETED'`,
        eq(annotations.wasCancelled, false),
      ),
    )
    .orderBy(annotations.itemId, annotations.annotatorId, sql`${annotations.id} desc`);
  const predictionRows = await db
    .select({
      itemId: predictions.itemId,
      modelVersion: predictions.modelVersion,
      result: predictions.result,
    })
    .from(predictions)
    .where(inArray(predictions.itemId, ids))
    .orderBy(asc(predictions.itemId), asc(predictions.modelVersion));
  const byItem = new Map<number, ItemParticipants>(ids.map((id) => [id, { itemId: id, participants: [] }]));
  for (const row of annotationRows) {
    byItem
      .get(row.itemId)
      ?.participants.push({ id: annotatorParticipant(row.annotatorId), result: row.result });
  }
  for (const row of predictionRows) {
    byItem.get(row.itemId)?.participants.push({ id: modelParticipant(row.modelVersion), result: row.result });
  }
  return [...byItem.values()];
}

type MatrixInsert = typeof agreementMatrices.$inferInsert;

/** Rows to store for one task: the overall matrix and one row per dimension. */
export function matrixRows(
  scope: { organizationId: number; workflowId: number; itemId: number },
  computed: TaskMatrices,
): MatrixInsert[] {
  const at = new Date();
  const rows: MatrixInsert[] = [
    {
      ...scope,
      dimension: OVERALL,
      participants: computed.participants,
      matrix: computed.overall.matrix,
      taskAgreement: computed.overall.taskAgreement,
      computedAt: at,
    },
  ];
  for (const [id, result] of computed.byDimension) {
    rows.push({
      ...scope,
      dimension: String(id),
      participants: computed.participants,
      matrix: result.matrix,
      taskAgreement: result.taskAgreement,
      computedAt: at,
    });
  }
  return rows;
}

/** Rows per INSERT statement (one JSON parameter each). */
const INSERT_CHUNK = 5000;

/**
 * Stores computed rows. `overwrite` (a recompute of changed tasks) replaces what is stored and drops
 * rows of dimensions that no longer exist; without it (backfill: tasks that had no matrix) a row
 * some recompute stored meanwhile wins, since it was computed from data at least as new. Rows travel
 * as one JSON parameter expanded by `jsonb_to_recordset`: a multi-row VALUES list with eight
 * parameters per row measured 2.3× slower for backfill batches (docs/benchmarks.md).
 */
export async function storeMatrices(
  db: Db,
  itemIds: readonly number[],
  rows: MatrixInsert[],
  options: { overwrite: boolean },
) {
  if (options.overwrite && itemIds.length > 0) {
    const keep = new Set(rows.map((r) => `${r.itemId}|${r.dimension}`));
    const stored = await db
      .select({
        id: agreementMatrices.id,
        itemId: agreementMatrices.itemId,
        dimension: agreementMatrices.dimension,
      })
      .from(agreementMatrices)
      .where(inArray(agreementMatrices.itemId, [...itemIds]));
    const gone = stored.filter((r) => !keep.has(`${r.itemId}|${r.dimension}`)).map((r) => r.id);
    if (gone.length > 0) await db.delete(agreementMatrices).where(inArray(agreementMatrices.id, gone));
  }
  const conflict = options.overwrite
    ? sql`do update set participants = excluded.participants, matrix = excluded.matrix,
        task_agreement = excluded.task_agreement, computed_at = excluded.computed_at`
    : sql`do nothing`;
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const payload = JSON.stringify(
      rows.slice(i, i + INSERT_CHUNK).map((r) => ({
        o: r.organizationId,
        w: r.workflowId,
        i: r.itemId,
        d: r.dimension,
        p: r.participants,
        m: r.matrix,
        a: r.taskAgreement,
      })),
    );
    await db.execute(sql`
      insert into ${agreementMatrices}
        (organization_id, workflow_id, item_id, dimension, participants, matrix, task_agreement, computed_at)
      select r.o, r.w, r.i, r.d, r.p, r.m, r.a, now()
      from jsonb_to_recordset(${payload}::jsonb) as r(o int, w int, i bigint, d text, p jsonb, m jsonb, a real)
      on conflict (item_id, dimension) ${conflict}`);
  }
}

/**
 * Non-gold items of a workflow after `afterItemId` that have a live annotation or a prediction but no
 * overall matrix: what a backfill or a workflow recompute still has to compute, in id order.
 */
export async function findItemsMissingMatrices(
  db: Db,
  workflowId: number,
  afterItemId: number,
  limit: number,
): Promise<number[]> {
  const result = (await db.execute(sql`
    select i.id from ${items} i
    where i.workflow_id = ${workflowId} and i.id > ${afterItemId} and i.kind <> 'gold'
      and not exists (select 1 from ${agreementMatrices} m where m.item_id = i.id and m.dimension = '')
      and (exists (select 1 from ${annotations} a
                   where a.item_id = i.id and a.state <> 'DELETED' and not a.was_cancelled)
           or exists (select 1 from ${predictions} p where p.item_id = i.id))
    order by i.id
    limit ${limit}`)) as unknown as { rows: { id: number | string }[] };
  return result.rows.map((r) => Number(r.id));
}

/** Deletes every stored matrix of a workflow (its dimensions changed: all are stale); returns how many. */
export async function deleteWorkflowMatrices(db: Db, workflowId: number): Promise<number> {
  const result = (await db.execute(sql`
    with gone as (delete from ${agreementMatrices} where workflow_id = ${workflowId} returning 1)
    select count(*) as n from gone`)) as unknown as { rows: { n: number | string }[] };
  return Number(result.rows[0]?.n ?? 0);
}

/** The stored rows of one item (overall and per dimension). */
export async function findItemMatrices(db: Db, itemId: number) {
  return db.select().from(agreementMatrices).where(eq(agreementMatrices.itemId, itemId));
}
