import { and, asc, desc, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { fsmStateHistory, members } from "../../db/schema/index.js";
import type { FsmEntity } from "./machines.js";

export const HISTORY_ORDERINGS = ["id", "-id", "created_at", "-created_at"] as const;
export type HistoryOrdering = (typeof HISTORY_ORDERINGS)[number];

export interface HistoryFilters {
  createdAtFrom?: Date | undefined;
  createdAtTo?: Date | undefined;
  state?: string | undefined;
  previousState?: string | undefined;
  transitionName?: string | undefined;
  triggeredBy?: number | undefined;
  ordering?: HistoryOrdering | undefined;
}

/** One history row as the API shows it (LS `StateModel`). */
export interface StateRecord {
  id: string;
  state: string;
  previous_state: string | null;
  transition_name: string | null;
  triggered_by: { id: number; email: string } | null;
  reason: string | null;
  context_data: Record<string, unknown>;
  created_at: string;
}

const columns = {
  id: fsmStateHistory.id,
  state: fsmStateHistory.state,
  previousState: fsmStateHistory.previousState,
  transitionName: fsmStateHistory.transitionName,
  triggeredById: fsmStateHistory.triggeredById,
  triggeredByEmail: members.email,
  reason: fsmStateHistory.reason,
  contextData: fsmStateHistory.contextData,
  createdAt: fsmStateHistory.createdAt,
};
type Row = {
  id: string;
  state: string;
  previousState: string | null;
  transitionName: string;
  triggeredById: number | null;
  triggeredByEmail: string | null;
  reason: string | null;
  contextData: Record<string, unknown> | null;
  createdAt: Date;
};

export const presentRecord = (row: Row): StateRecord => ({
  id: row.id,
  state: row.state,
  previous_state: row.previousState,
  transition_name: row.transitionName,
  triggered_by:
    row.triggeredById !== null && row.triggeredByEmail !== null
      ? { id: row.triggeredById, email: row.triggeredByEmail }
      : null,
  reason: row.reason,
  context_data: row.contextData ?? {},
  created_at: row.createdAt.toISOString(),
});

// Case-insensitive exact match (LS semantics); the entity index narrows rows first.
const ieq = (column: typeof fsmStateHistory.state | typeof fsmStateHistory.previousState, value: string) =>
  sql`lower(${column}) = lower(${value})`;

const orderOf: Record<HistoryOrdering, SQL[]> = {
  id: [asc(fsmStateHistory.id)],
  "-id": [desc(fsmStateHistory.id)],
  created_at: [asc(fsmStateHistory.createdAt), asc(fsmStateHistory.id)],
  "-created_at": [desc(fsmStateHistory.createdAt), desc(fsmStateHistory.id)],
};

/** Reads of the append-only `fsm_state_history` table. */
export function createHistoryRepo(db: Db) {
  const ofEntity = (organizationId: number, entity: FsmEntity, entityId: number) => [
    eq(fsmStateHistory.organizationId, organizationId),
    eq(fsmStateHistory.entityName, entity),
    eq(fsmStateHistory.entityId, String(entityId)),
  ];

  return {
    /** One page of an entity's history with the LS filters; `count` is the filtered total. */
    async page(
      organizationId: number,
      entity: FsmEntity,
      entityId: number,
      filters: HistoryFilters,
      page: { limit: number; offset: number },
    ) {
      const conditions: SQL[] = ofEntity(organizationId, entity, entityId);
      if (filters.createdAtFrom) conditions.push(gte(fsmStateHistory.createdAt, filters.createdAtFrom));
      if (filters.createdAtTo) conditions.push(lte(fsmStateHistory.createdAt, filters.createdAtTo));
      if (filters.state !== undefined) conditions.push(ieq(fsmStateHistory.state, filters.state));
      if (filters.previousState !== undefined) {
        conditions.push(ieq(fsmStateHistory.previousState, filters.previousState));
      }
      if (filters.transitionName !== undefined) {
        conditions.push(sql`lower(${fsmStateHistory.transitionName}) = lower(${filters.transitionName})`);
      }
      if (filters.triggeredBy !== undefined)
        conditions.push(eq(fsmStateHistory.triggeredById, filters.triggeredBy));
      const where = and(...conditions);
      const rows = await db
        .select(columns)
        .from(fsmStateHistory)
        .leftJoin(members, eq(members.id, fsmStateHistory.triggeredById))
        .where(where)
        .orderBy(...orderOf[filters.ordering ?? "-id"])
        .limit(page.limit)
        .offset(page.offset);
      const [count] = await db.select({ n: sql<number>`count(*)` }).from(fsmStateHistory).where(where);
      return { rows: rows.map(presentRecord), total: Number(count?.n ?? 0) };
    },

    /** The newest history row of an entity, or null. */
    async latest(organizationId: number, entity: FsmEntity, entityId: number): Promise<StateRecord | null> {
      const [row] = await db
        .select(columns)
        .from(fsmStateHistory)
        .leftJoin(members, eq(members.id, fsmStateHistory.triggeredById))
        .where(and(...ofEntity(organizationId, entity, entityId)))
        .orderBy(desc(fsmStateHistory.id))
        .limit(1);
      return row ? presentRecord(row) : null;
    },

    /** The history row `id` (the one a transition just wrote). */
    async get(id: string): Promise<StateRecord | null> {
      const [row] = await db
        .select(columns)
        .from(fsmStateHistory)
        .leftJoin(members, eq(members.id, fsmStateHistory.triggeredById))
        .where(eq(fsmStateHistory.id, id));
      return row ? presentRecord(row) : null;
    },
  };
}
export type HistoryRepo = ReturnType<typeof createHistoryRepo>;
