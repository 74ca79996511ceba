import { index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./_columns.js";
import { members } from "./members.js";

/**
 * Append-only state history; ids are UUIDv7 so ordering by id is ordering by time. No foreign key to
 * organizations (hot path: every claim and webhook writes here, and each key check would lock the one
 * organization row); a trigger on organizations deletes an organization's history instead (0009).
 */
export const fsmStateHistory = pgTable(
  "fsm_state_history",
  {
    id: uuid().primaryKey(),
    organizationId: integer().notNull(),
    entityName: text().notNull(),
    entityId: text().notNull(),
    state: text().notNull(),
    previousState: text(),
    transitionName: text().notNull(),
    triggeredById: integer().references(() => members.id, { onDelete: "set null" }),
    reason: text(),
    contextData: jsonb().$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [index("fsm_history_entity_idx").on(t.organizationId, t.entityName, t.entityId, t.id)],
);
