import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { annotators, roles, workflows } from "../../db/schema/index.js";
import type { Page } from "../../http/pagination.js";
import { AppError, found } from "../../lib/app-error.js";
import { isUniqueViolation } from "../../lib/db-errors.js";

export interface RoleInput {
  name: string;
  description?: string | null | undefined;
  color?: string | null | undefined;
}

const columns = {
  id: roles.id,
  name: roles.name,
  description: roles.description,
  color: roles.color,
  createdAt: roles.createdAt,
  updatedAt: roles.updatedAt,
};

/** Annotator roles: who receives which workflow. Names are unique per organization. */
export function createRoleService(db: Db) {
  const scoped = (organizationId: number, id: number) =>
    and(eq(roles.organizationId, organizationId), eq(roles.id, id));
  const duplicate = (name: string) => new AppError("CONFLICT", `A role named "${name}" already exists`);

  return {
    async list(organizationId: number, page: Page) {
      const where = eq(roles.organizationId, organizationId);
      const rows = await db
        .select(columns)
        .from(roles)
        .where(where)
        .orderBy(asc(roles.id))
        .limit(page.limit)
        .offset(page.offset);
      const [count] = await db.select({ n: sql<number>`count(*)` }).from(roles).where(where);
      return { rows, total: Number(count?.n ?? 0) };
    },

    async get(organizationId: number, id: number) {
      const [row] = await db.select(columns).from(roles).where(scoped(organizationId, id));
      return found(row, "Role");
    },

    async create(organizationId: number, input: RoleInput) {
      try {
        const [row] = await db
          .insert(roles)
          .values({ organizationId, ...input })
          .returning(columns);
        return row!;
      } catch (error) {
        if (isUniqueViolation(error)) throw duplicate(input.name);
        throw error;
      }
    },

    async update(organizationId: number, id: number, input: Partial<RoleInput>) {
      await this.get(organizationId, id);
      try {
        const [row] = await db
          .update(roles)
          .set({ ...input, updatedAt: new Date() })
          .where(scoped(organizationId, id))
          .returning(columns);
        return row!;
      } catch (error) {
        if (isUniqueViolation(error)) throw duplicate(input.name ?? "");
        throw error;
      }
    },

    /** Deletes a role no workflow targets; annotators holding it keep working without a role. */
    async remove(organizationId: number, id: number) {
      await this.get(organizationId, id);
      const [usage] = await db
        .select({ n: sql<number>`count(*)` })
        .from(workflows)
        .where(and(eq(workflows.organizationId, organizationId), eq(workflows.roleId, id)));
      if (Number(usage?.n ?? 0) > 0) {
        throw new AppError("CONFLICT", "Cannot delete: the role is the target role of workflows");
      }
      await db
        .update(annotators)
        .set({ roleId: null })
        .where(and(eq(annotators.organizationId, organizationId), eq(annotators.roleId, id)));
      await db.delete(roles).where(scoped(organizationId, id));
    },
  };
}
export type RoleService = ReturnType<typeof createRoleService>;
