import { pgTable, serial, text } from "drizzle-orm/pg-core";
import { createdAt, tenant, updatedAt } from "./_columns.js";

export const labelingConfigs = pgTable("labeling_configs", {
  id: serial().primaryKey(),
  organizationId: tenant(),
  name: text().notNull(),
  description: text(),
  configXml: text().notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
