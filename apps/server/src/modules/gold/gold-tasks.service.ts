import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { type GOLD_DIFFICULTIES, goldTasks, labelingConfigs } from "../../db/schema/index.js";
import type { Page } from "../../http/pagination.js";
import { parseLabelConfig } from "../../labelstudio/label-config.js";
import { AppError, found } from "../../lib/app-error.js";
import { validateExpectedLabels } from "./expected-labels.js";

export interface GoldTaskInput {
  name?: string | null | undefined;
  s3ImageKey: string;
  expectedLabels: unknown[];
  labelingConfigId: number;
  category?: string | null | undefined;
  difficulty?: (typeof GOLD_DIFFICULTIES)[number] | null | undefined;
}

export interface GoldTaskFilters {
  labelingConfigId?: number | undefined;
  category?: string | undefined;
}

const columns = {
  id: goldTasks.id,
  name: goldTasks.name,
  s3ImageKey: goldTasks.s3ImageKey,
  expectedLabels: goldTasks.expectedLabels,
  labelingConfigId: goldTasks.labelingConfigId,
  category: goldTasks.category,
  difficulty: goldTasks.difficulty,
  createdAt: goldTasks.createdAt,
  updatedAt: goldTasks.updatedAt,
};

/**
 * Gold standard tasks: known answers mixed into batches to score annotators. A gold task locks its
 * labeling config's XML (labeling-configs service), so its expected labels stay valid.
 */
export function createGoldTaskService(db: Db) {
  const scoped = (organizationId: number, id: number) =>
    and(eq(goldTasks.organizationId, organizationId), eq(goldTasks.id, id));

  /** 400 (not 404) for a config of no or another organization, then the label checks. */
  async function assertLabelsFit(organizationId: number, labelingConfigId: number, labels: unknown[]) {
    const [config] = await db
      .select({ configXml: labelingConfigs.configXml })
      .from(labelingConfigs)
      .where(
        and(eq(labelingConfigs.organizationId, organizationId), eq(labelingConfigs.id, labelingConfigId)),
      );
    if (!config) {
      const message = `Labeling config ${labelingConfigId} not found`;
      throw new AppError("BAD_REQUEST", message, [{ path: ["labelingConfigId"], message }]);
    }
    const parsed = parseLabelConfig(config.configXml);
    if (!parsed.ok) throw new AppError("BAD_REQUEST", "The labeling config is not valid");
    const issues = validateExpectedLabels(parsed.config, labels);
    if (issues.length > 0) {
      throw new AppError("BAD_REQUEST", `Invalid expectedLabels: ${issues[0]!.message}`, issues);
    }
  }

  return {
    /** One page of gold tasks, optionally of one labeling config and/or category. */
    async list(organizationId: number, filters: GoldTaskFilters, page: Page) {
      const conditions: SQL[] = [eq(goldTasks.organizationId, organizationId)];
      if (filters.labelingConfigId !== undefined)
        conditions.push(eq(goldTasks.labelingConfigId, filters.labelingConfigId));
      if (filters.category !== undefined) conditions.push(eq(goldTasks.category, filters.category));
      const where = and(...conditions);
      const rows = await db
        .select(columns)
        .from(goldTasks)
        .where(where)
        .orderBy(asc(goldTasks.id))
        .limit(page.limit)
        .offset(page.offset);
      const [count] = await db.select({ n: sql<number>`count(*)` }).from(goldTasks).where(where);
      return { rows, total: Number(count?.n ?? 0) };
    },

    async get(organizationId: number, id: number) {
      const [row] = await db.select(columns).from(goldTasks).where(scoped(organizationId, id));
      return found(row, "Gold task");
    },

    /** Creates a gold task; 400 when the config does not exist or the labels do not fit it. */
    async create(organizationId: number, input: GoldTaskInput) {
      await assertLabelsFit(organizationId, input.labelingConfigId, input.expectedLabels);
      const [row] = await db
        .insert(goldTasks)
        .values({ organizationId, ...input })
        .returning(columns);
      return row!;
    },

    /** Updates fields; labels are checked again (against the new config when it changes). */
    async update(organizationId: number, id: number, input: Partial<GoldTaskInput>) {
      const current = await this.get(organizationId, id);
      if (input.expectedLabels !== undefined || input.labelingConfigId !== undefined) {
        await assertLabelsFit(
          organizationId,
          input.labelingConfigId ?? current.labelingConfigId,
          input.expectedLabels ?? current.expectedLabels,
        );
      }
      const [row] = await db
        .update(goldTasks)
        .set({ ...input, updatedAt: new Date() })
        .where(scoped(organizationId, id))
        .returning(columns);
      return row!;
    },

    /** Deletes a gold task; its scores go with it and its gold items stop being handed out. */
    async remove(organizationId: number, id: number) {
      await this.get(organizationId, id);
      await db.delete(goldTasks).where(scoped(organizationId, id));
    },
  };
}
export type GoldTaskService = ReturnType<typeof createGoldTaskService>;
