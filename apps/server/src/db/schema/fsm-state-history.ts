import { index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, tenant } from "./_columns.js";
import { members } from "./members.js";

/** Append-only state history; ids are UUIDv7 so ordering by id is ordering by time. */
export const fsmStateHistory = pgTable(
  "fsm_state_history",
  {
    id: uuid().primaryKey(),
    organizationId: tenant(),
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
