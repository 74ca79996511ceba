import { integer, jsonb, pgTable, serial, text } from "drizzle-orm/pg-core";
import { createdAt, tenant, updatedAt } from "./_columns.js";
import { labelingConfigs } from "./labeling-configs.js";

export const GOLD_DIFFICULTIES = ["easy", "medium", "hard"] as const;

export const goldTasks = pgTable("gold_tasks", {
  id: serial().primaryKey(),
  organizationId: tenant(),
  name: text(),
  s3ImageKey: text().notNull(),
  expectedLabels: jsonb().$type<unknown[]>().notNull(),
  labelingConfigId: integer()
    .notNull()
    .references(() => labelingConfigs.id, { onDelete: "restrict" }),
  category: text(),
  difficulty: text().$type<(typeof GOLD_DIFFICULTIES)[number]>(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
