import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { goldTasks, labelingConfigs, workflows } from "../../db/schema/index.js";
import type { Page } from "../../http/pagination.js";
import { parseLabelConfig } from "../../labelstudio/label-config.js";
import { AppError, found } from "../../lib/app-error.js";

export interface LabelingConfigInput {
  name: string;
  description?: string | null | undefined;
  configXml: string;
}

// Qualified by hand: inside a correlated subquery Drizzle would render the outer column unqualified.
const workflowCount = sql<number>`(select count(*) from ${workflows} w where w.labeling_config_id = "labeling_configs"."id")`;
const goldTaskCount = sql<number>`(select count(*) from ${goldTasks} g where g.labeling_config_id = "labeling_configs"."id")`;

const columns = {
  id: labelingConfigs.id,
  name: labelingConfigs.name,
  description: labelingConfigs.description,
  configXml: labelingConfigs.configXml,
  createdAt: labelingConfigs.createdAt,
  updatedAt: labelingConfigs.updatedAt,
  workflowCount,
  goldTaskCount,
};

type Row = { workflowCount: number | string; goldTaskCount: number | string } & Record<string, unknown>;
/** Counts come back as strings from `pg` (bigint); isLocked: gold tasks score against this XML. */
const present = <T extends Row>(row: T) => ({
  ...row,
  workflowCount: Number(row.workflowCount),
  goldTaskCount: Number(row.goldTaskCount),
  isLocked: Number(row.goldTaskCount) > 0,
});

/** Throws 400 with the parser's issues when the XML is not a valid Label Studio config. */
export function assertValidLabelConfig(xml: string) {
  const parsed = parseLabelConfig(xml);
  if (!parsed.ok) {
    throw new AppError(
      "BAD_REQUEST",
      `Invalid labeling config: ${parsed.issues[0]}`,
      parsed.issues.map((message) => ({ path: ["configXml"], message })),
    );
  }
  return parsed.config;
}

/** Label Studio XML templates; locked (XML immutable) while gold tasks reference them. */
export function createLabelingConfigService(db: Db) {
  const scoped = (organizationId: number, id: number) =>
    and(eq(labelingConfigs.organizationId, organizationId), eq(labelingConfigs.id, id));

  return {
    async list(organizationId: number, page: Page) {
      const where = eq(labelingConfigs.organizationId, organizationId);
      const rows = await db
        .select(columns)
        .from(labelingConfigs)
        .where(where)
        .orderBy(asc(labelingConfigs.id))
        .limit(page.limit)
        .offset(page.offset);
      const [count] = await db.select({ n: sql<number>`count(*)` }).from(labelingConfigs).where(where);
      return { rows: rows.map(present), total: Number(count?.n ?? 0) };
    },

    async get(organizationId: number, id: number) {
      const [row] = await db.select(columns).from(labelingConfigs).where(scoped(organizationId, id));
      return present(found(row, "Labeling config"));
    },

    async create(organizationId: number, input: LabelingConfigInput) {
      assertValidLabelConfig(input.configXml);
      const [row] = await db
        .insert(labelingConfigs)
        .values({ organizationId, ...input })
        .returning({ id: labelingConfigs.id });
      return this.get(organizationId, row!.id);
    },

    async update(organizationId: number, id: number, input: Partial<LabelingConfigInput>) {
      const current = await this.get(organizationId, id);
      if (input.configXml !== undefined && input.configXml !== current.configXml) {
        assertValidLabelConfig(input.configXml);
        if (current.isLocked) {
          throw new AppError(
            "CONFLICT",
            `Cannot update configXml: ${current.goldTaskCount} gold task(s) reference this config`,
          );
        }
      }
      await db
        .update(labelingConfigs)
        .set({ ...input, updatedAt: new Date() })
        .where(scoped(organizationId, id));
      return this.get(organizationId, id);
    },

    async remove(organizationId: number, id: number) {
      const current = await this.get(organizationId, id);
      if (current.workflowCount > 0 || current.goldTaskCount > 0) {
        throw new AppError(
          "CONFLICT",
          `Cannot delete: config is referenced by ${current.workflowCount} workflow(s) and ${current.goldTaskCount} gold task(s)`,
        );
      }
      await db.delete(labelingConfigs).where(scoped(organizationId, id));
    },
  };
}
export type LabelingConfigService = ReturnType<typeof createLabelingConfigService>;
