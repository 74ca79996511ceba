import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { fsmStateHistory } from "../../db/schema/index.js";
import { AppError } from "../../lib/app-error.js";
import { uuidv7 } from "../../lib/uuidv7.js";
import { ENTITY_STORAGE } from "./entities.js";
import { allowedTransitions, type FsmEntity, findTransition, type TransitionDef } from "./machines.js";

export type { FsmEntity } from "./machines.js";

export interface TransitionInput {
  organizationId: number;
  entity: FsmEntity;
  entityId: number;
  transition: string;
  /** Member id; null/undefined = the system. */
  triggeredBy?: number | null;
  reason?: string | null;
  context?: Record<string, unknown>;
  /** When given, the transition fails with 409 unless the entity is in exactly this state. */
  expectedState?: string;
}

export interface TransitionResult {
  previousState: string;
  state: string;
  historyId: string;
}

// Statements run on PostgreSQL (`pg`) and PGlite; both return `{ rows }` from execute().
type Rows<T> = { rows: T[] };
const rowsOf = <T>(result: unknown) => (result as Rows<T>).rows;

function storage(entity: FsmEntity) {
  const { table, column } = ENTITY_STORAGE[entity];
  return { table: sql.identifier(table), column: sql.identifier(column) };
}

function definitionOf(entity: FsmEntity, transition: string): TransitionDef {
  const def = findTransition(entity, transition);
  if (!def) throw new AppError("BAD_REQUEST", `Unknown transition "${transition}" for ${entity}`);
  return def;
}

/** The 409 of an illegal or stale transition, carrying what the caller needs to retry correctly. */
export function transitionConflict(entity: FsmEntity, current: string, message: string) {
  return new AppError("CONFLICT", message, undefined, {
    current_state: current,
    allowed_transitions: allowedTransitions(entity, current),
  });
}

// ids are compared as bigint: int4 = int8 uses the primary key index and never overflows into a 500.
async function readState(db: Db, organizationId: number, entity: FsmEntity, entityId: number) {
  const { table, column } = storage(entity);
  const rows = rowsOf<{ state: string }>(
    await db.execute(
      sql`select ${column} as state from ${table} where id = ${entityId}::bigint and organization_id = ${organizationId}`,
    ),
  );
  return rows[0]?.state ?? null;
}

/** The current stored state of an entity of the organization, or null when there is none. */
export function findCurrentState(db: Db, organizationId: number, entity: FsmEntity, entityId: number) {
  return readState(db, organizationId, entity, entityId);
}

/**
 * Applies one transition: checks the machine's table, updates the status column with a guard on the
 * current state (so of two concurrent transitions exactly one wins), and appends a history row, all in
 * one transaction (a savepoint when `db` is already a transaction). Throws NOT_FOUND for a missing
 * entity, BAD_REQUEST for an unknown transition, CONFLICT with `current_state` and
 * `allowed_transitions` when the current state does not allow it or `expectedState` is stale.
 */
export async function applyTransition(db: Db, input: TransitionInput): Promise<TransitionResult> {
  const def = definitionOf(input.entity, input.transition);
  const { table, column } = storage(input.entity);
  return db.transaction(async (tx) => {
    const current = await readState(tx, input.organizationId, input.entity, input.entityId);
    if (current === null) throw new AppError("NOT_FOUND", `${input.entity} ${input.entityId} not found`);
    if (input.expectedState !== undefined && current !== input.expectedState) {
      throw transitionConflict(
        input.entity,
        current,
        `${input.entity} ${input.entityId} is ${current}, not ${input.expectedState}`,
      );
    }
    if (!def.from.includes(current)) {
      throw transitionConflict(
        input.entity,
        current,
        `Transition "${def.name}" is not allowed from ${current}`,
      );
    }
    const updated = rowsOf<{ id: unknown }>(
      await tx.execute(sql`update ${table} set ${column} = ${def.to}, updated_at = now()
        where id = ${input.entityId}::bigint and organization_id = ${input.organizationId}
          and ${column} = ${current}
        returning id`),
    );
    if (updated.length === 0) {
      // Someone else moved the entity between our read and our update: report where it is now.
      const now = (await readState(tx, input.organizationId, input.entity, input.entityId)) ?? current;
      throw transitionConflict(input.entity, now, `${input.entity} ${input.entityId} changed concurrently`);
    }
    const historyId = uuidv7();
    await tx.insert(fsmStateHistory).values({
      id: historyId,
      organizationId: input.organizationId,
      entityName: input.entity,
      entityId: String(input.entityId),
      state: def.to,
      previousState: current,
      transitionName: def.name,
      triggeredById: input.triggeredBy ?? null,
      reason: input.reason ?? null,
      contextData: input.context ?? {},
    });
    return { previousState: current, state: def.to, historyId };
  });
}

export type TransitionManyInput = Omit<TransitionInput, "entityId" | "expectedState"> & {
  entityIds: number[];
};

// Keeps every statement well under PostgreSQL's 65,535 bind parameters.
const CHUNK = 5000;

/**
 * Applies one transition to many entities: one guarded UPDATE (rows locked, so concurrent writers
 * serialise) and one multi-row history INSERT per chunk of ids. Entities whose current state does not
 * allow the transition, or that do not exist in the organization, are returned in `skipped`.
 */
export async function applyTransitionMany(
  db: Db,
  input: TransitionManyInput,
): Promise<{ transitioned: number[]; skipped: number[] }> {
  const def = definitionOf(input.entity, input.transition);
  const ids = [...new Set(input.entityIds)];
  if (ids.length === 0) return { transitioned: [], skipped: [] };
  const { table, column } = storage(input.entity);
  const fromList = sql.join(
    def.from.map((s) => sql`${s}`),
    sql`, `,
  );
  const transitioned: number[] = [];
  await db.transaction(async (tx) => {
    for (let start = 0; start < ids.length; start += CHUNK) {
      const chunk = ids.slice(start, start + CHUNK);
      const idList: SQL = sql.join(
        chunk.map((id) => sql`${id}::bigint`),
        sql`, `,
      );
      const rows = rowsOf<{ id: number | string; previous: string }>(
        await tx.execute(sql`with old as (
            select id, ${column} as previous from ${table}
            where organization_id = ${input.organizationId} and id in (${idList}) and ${column} in (${fromList})
            order by id
            for update
          )
          update ${table} set ${column} = ${def.to}, updated_at = now()
          from old where ${table}.id = old.id
          returning ${table}.id as id, old.previous as previous`),
      );
      if (rows.length === 0) continue;
      await tx.insert(fsmStateHistory).values(
        rows.map((row) => ({
          id: uuidv7(),
          organizationId: input.organizationId,
          entityName: input.entity,
          entityId: String(row.id),
          state: def.to,
          previousState: row.previous,
          transitionName: def.name,
          triggeredById: input.triggeredBy ?? null,
          reason: input.reason ?? null,
          contextData: input.context ?? {},
        })),
      );
      for (const row of rows) transitioned.push(Number(row.id));
    }
  });
  const done = new Set(transitioned);
  return { transitioned: transitioned.sort((a, b) => a - b), skipped: ids.filter((id) => !done.has(id)) };
}

/** Records the first history row of a new entity (previous_state null, transition "create"). */
export async function recordCreation(
  db: Db,
  input: {
    organizationId: number;
    entity: FsmEntity;
    entityId: number;
    state: string;
    triggeredBy?: number | null;
    context?: Record<string, unknown>;
  },
): Promise<void> {
  await db.insert(fsmStateHistory).values({
    id: uuidv7(),
    organizationId: input.organizationId,
    entityName: input.entity,
    entityId: String(input.entityId),
    state: input.state,
    previousState: null,
    transitionName: "create",
    triggeredById: input.triggeredBy ?? null,
    reason: null,
    contextData: input.context ?? {},
  });
}

/**
 * SQL-level bulk form of a transition, for a statement that already holds the entities' rows locked
 * (e.g. a claim's `FOR UPDATE SKIP LOCKED` pick updated in the same statement): `set` is the status
 * assignment `<column> = case when <current> in (<from>) then <to> else <current> end`, so entities in
 * a state the transition does not leave from keep theirs (skipped, as in `applyTransitionMany`).
 * The caller must append one history row (state `to`, previous state, transition `name`) for every
 * entity whose previous state is in `from` — `moved(previous)` — in the same transaction.
 */
export function bulkTransitionSql(entity: FsmEntity, transition: string, current: SQL) {
  const def = definitionOf(entity, transition);
  const { column } = storage(entity);
  const fromList = sql.join(
    def.from.map((s) => sql`${s}`),
    sql`, `,
  );
  return {
    name: def.name,
    to: def.to,
    set: sql`${column} = case when ${current} in (${fromList}) then ${def.to} else ${current} end`,
    moved: (previous: string) => def.from.includes(previous),
  };
}
