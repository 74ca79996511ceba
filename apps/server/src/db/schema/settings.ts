import { jsonb, pgTable, serial, text, uniqueIndex } from "drizzle-orm/pg-core";
import { tenant, updatedAt } from "./_columns.js";

export const settings = pgTable(
  "settings",
  {
    id: serial().primaryKey(),
    organizationId: tenant(),
    key: text().notNull(),
    value: jsonb().$type<unknown>(),
    description: text(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("settings_org_key_idx").on(t.organizationId, t.key)],
);
