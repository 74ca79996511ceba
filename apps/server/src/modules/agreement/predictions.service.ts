import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { items, predictions, workflows } from "../../db/schema/index.js";
import { AppError } from "../../lib/app-error.js";
import type { MatrixService } from "./matrices.service.js";

export interface PredictionInput {
  item_id: number;
  model_version?: string | undefined;
  result: Record<string, unknown>[];
  score?: number | null | undefined;
}

type PredictionRow = typeof predictions.$inferSelect;

const present = (row: Omit<PredictionRow, "organizationId" | "sourceAnnotationId">) => ({
  id: row.id,
  item_id: row.itemId,
  model_version: row.modelVersion,
  result: row.result,
  score: row.score,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});
export type PredictionView = ReturnType<typeof present>;

/**
 * Model predictions per item: the agreement participants `model:<version>`. One prediction per item
 * and model version (a second upload replaces it); every stored change queues the item's matrix
 * recompute in the same transaction.
 */
export function createPredictionService({ db, matrices }: { db: Db; matrices: MatrixService }) {
  async function requireWorkflow(organizationId: number, workflowId: number) {
    const [row] = await db
      .select({ id: workflows.id })
      .from(workflows)
      .where(and(eq(workflows.organizationId, organizationId), eq(workflows.id, workflowId)));
    if (!row) throw new AppError("NOT_FOUND", `Workflow ${workflowId} not found`);
  }

  return {
    /**
     * Stores a batch of predictions for items of the workflow; `modelVersion` is the default of entries
     * without their own. Unknown items (or another workflow's) are a 400 naming each entry.
     */
    async upsert(
      organizationId: number,
      workflowId: number,
      modelVersion: string | undefined,
      entries: PredictionInput[],
    ) {
      await requireWorkflow(organizationId, workflowId);
      const issues: { path: (string | number)[]; message: string }[] = [];
      entries.forEach((e, i) => {
        if (!(e.model_version ?? modelVersion)) {
          issues.push({
            path: ["predictions", i, "model_version"],
            message: "Required (or a top-level model_version)",
          });
        }
      });
      const ids = [...new Set(entries.map((e) => e.item_id))];
      const known = new Set(
        (
          await db
            .select({ id: items.id })
            .from(items)
            .where(and(eq(items.workflowId, workflowId), inArray(items.id, ids)))
        ).map((r) => r.id),
      );
      entries.forEach((e, i) => {
        if (!known.has(e.item_id)) {
          issues.push({
            path: ["predictions", i, "item_id"],
            message: `Item ${e.item_id} is not in workflow ${workflowId}`,
          });
        }
      });
      const seen = new Set<string>();
      entries.forEach((e, i) => {
        const key = `${e.item_id}|${e.model_version ?? modelVersion}`;
        if (seen.has(key))
          issues.push({ path: ["predictions", i], message: "Duplicate item and model version" });
        seen.add(key);
      });
      if (issues.length > 0) throw new AppError("BAD_REQUEST", "Invalid predictions", issues);
      return db.transaction(async (tx) => {
        const rows = await tx
          .insert(predictions)
          .values(
            entries.map((e) => ({
              organizationId,
              itemId: e.item_id,
              modelVersion: (e.model_version ?? modelVersion)!,
              result: e.result,
              score: e.score ?? null,
            })),
          )
          .onConflictDoUpdate({
            target: [predictions.itemId, predictions.modelVersion],
            set: {
              result: sql`excluded.result`,
              score: sql`excluded.score`,
              updatedAt: new Date(),
            },
          })
          .returning({
            id: predictions.id,
            organizationId: predictions.organizationId,
            itemId: predictions.itemId,
            modelVersion: predictions.modelVersion,
            result: predictions.result,
            score: predictions.score,
            sourceAnnotationId: predictions.sourceAnnotationId,
            createdAt: predictions.createdAt,
            updatedAt: predictions.updatedAt,
            inserted: sql<boolean>`(xmax = 0)`,
          });
        await matrices.enqueueItems(organizationId, ids, tx as Db);
        const created = rows.filter((r) => r.inserted).length;
        return { created, updated: rows.length - created, predictions: rows.map((r) => present(r)) };
      });
    },

    /** Predictions of a workflow, by item then model version; optional item and version filters. */
    async list(
      organizationId: number,
      workflowId: number,
      filter: { itemId?: number | undefined; modelVersion?: string | undefined },
      page: { limit: number; offset: number },
    ) {
      await requireWorkflow(organizationId, workflowId);
      const where = and(
        eq(predictions.organizationId, organizationId),
        eq(items.workflowId, workflowId),
        filter.itemId === undefined ? undefined : eq(predictions.itemId, filter.itemId),
        filter.modelVersion === undefined ? undefined : eq(predictions.modelVersion, filter.modelVersion),
      );
      const rows = await db
        .select({ row: predictions })
        .from(predictions)
        .innerJoin(items, eq(items.id, predictions.itemId))
        .where(where)
        .orderBy(asc(predictions.itemId), asc(predictions.modelVersion))
        .limit(page.limit)
        .offset(page.offset);
      const [count] = await db
        .select({ n: sql<number>`count(*)` })
        .from(predictions)
        .innerJoin(items, eq(items.id, predictions.itemId))
        .where(where);
      return { rows: rows.map((r) => present(r.row)), total: Number(count?.n ?? 0) };
    },
  };
}
export type PredictionService = ReturnType<typeof createPredictionService>;
