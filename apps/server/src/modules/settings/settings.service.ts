import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { settings } from "../../db/schema/index.js";
import type { Page } from "../../http/pagination.js";
import { found } from "../../lib/app-error.js";

const columns = {
  id: settings.id,
  key: settings.key,
  value: settings.value,
  description: settings.description,
  updatedAt: settings.updatedAt,
};

/** Per-organization key → JSON value store (e.g. `quality.accuracyThreshold`). */
export function createSettingsService(db: Db) {
  return {
    async list(organizationId: number, page: Page) {
      const where = eq(settings.organizationId, organizationId);
      const rows = await db
        .select(columns)
        .from(settings)
        .where(where)
        .orderBy(asc(settings.key))
        .limit(page.limit)
        .offset(page.offset);
      const [count] = await db.select({ n: sql<number>`count(*)` }).from(settings).where(where);
      return { rows, total: Number(count?.n ?? 0) };
    },

    async find(organizationId: number, key: string) {
      const [row] = await db
        .select(columns)
        .from(settings)
        .where(and(eq(settings.organizationId, organizationId), eq(settings.key, key)));
      return row ?? null;
    },

    async get(organizationId: number, key: string) {
      return found(await this.find(organizationId, key), `Setting "${key}"`);
    },

    /** The value of a setting, or `fallback` when it is unset. */
    async valueOf<T>(organizationId: number, key: string, fallback: T): Promise<T> {
      const row = await this.find(organizationId, key);
      return row ? (row.value as T) : fallback;
    },

    async upsert(
      organizationId: number,
      key: string,
      input: { value: unknown; description?: string | null | undefined },
    ) {
      const set = {
        value: input.value,
        updatedAt: new Date(),
        ...(input.description !== undefined ? { description: input.description } : {}),
      };
      const [row] = await db
        .insert(settings)
        .values({ organizationId, key, ...set })
        .onConflictDoUpdate({ target: [settings.organizationId, settings.key], set })
        .returning(columns);
      return row!;
    },
  };
}
export type SettingsService = ReturnType<typeof createSettingsService>;
