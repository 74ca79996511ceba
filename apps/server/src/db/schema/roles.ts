import { pgTable, serial, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, tenant, updatedAt } from "./_columns.js";

/** Annotator roles: which annotators receive which workflows (not member roles). */
export const roles = pgTable(
  "roles",
  {
    id: serial().primaryKey(),
    organizationId: tenant(),
    name: text().notNull(),
    description: text(),
    color: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("roles_org_name_idx").on(t.organizationId, t.name)],
);
