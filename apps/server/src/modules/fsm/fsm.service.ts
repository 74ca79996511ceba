import type { Db } from "../../db/client.js";
import { AppError, isAppError } from "../../lib/app-error.js";
import type { HistoryFilters, StateRecord } from "./history.repo.js";
import { createHistoryRepo } from "./history.repo.js";
import {
  allowedTransitions,
  type FsmEntity,
  findTransition,
  MACHINES,
  resolveEntityName,
} from "./machines.js";
import {
  applyTransition,
  findCurrentState,
  type TransitionInput,
  type TransitionResult,
} from "./transition.js";

/** What an effect learns about the transition it follows. */
export type TransitionEvent = TransitionInput & TransitionResult;

/**
 * A side effect of a transition. It runs inside the transaction of the transition (`tx`): when it
 * throws, the transition is rolled back too. Slow or remote work (LS calls, containers) belongs in a
 * job enqueued with `jobs.send(name, payload, options, tx)` so it commits with the transition.
 */
export type TransitionEffect = (tx: Db, event: TransitionEvent) => Promise<void>;

export interface ManualTransitionBody {
  transition_name: string;
  transition_data?: Record<string, unknown> | null | undefined;
  reason?: string | null | undefined;
  expected_state?: string | undefined;
}

/** The entity of an API `entity_name`; unknown names are a 404 like LS. */
export function entityOf(name: string): FsmEntity {
  const entity = resolveEntityName(name);
  if (!entity) throw new AppError("NOT_FOUND", `Unknown entity "${name}"`);
  return entity;
}

/** 409 bodies of the API list only the transitions a caller may run (the manual ones). */
function manualConflict(entity: FsmEntity, error: AppError) {
  const current = String(error.extra?.current_state);
  return new AppError("CONFLICT", error.message, undefined, {
    current_state: current,
    allowed_transitions: allowedTransitions(entity, current, { manualOnly: true }),
  });
}

/**
 * The FSM service: an effects registry (other modules attach side effects to transitions without the
 * FSM importing them), transitions that run those effects, and the reads and manual transitions of
 * the `/api/fsm/entities` API.
 */
export function createFsmService({ db }: { db: Db }) {
  const effects = new Map<string, TransitionEffect[]>();
  const keyOf = (entity: FsmEntity, transition: string) => `${entity}:${transition}`;
  const history = createHistoryRepo(db);

  async function requireState(organizationId: number, entity: FsmEntity, entityId: number) {
    const state = await findCurrentState(db, organizationId, entity, entityId);
    if (state === null) throw new AppError("NOT_FOUND", `${entity} ${entityId} not found`);
    return state;
  }

  /**
   * Applies a transition and runs the effects registered for it, all in one transaction (nested in
   * the caller's when `tx` is a transaction).
   */
  async function transition(input: TransitionInput, tx: Db = db): Promise<TransitionResult> {
    return tx.transaction(async (inner) => {
      const result = await applyTransition(inner, input);
      for (const effect of effects.get(keyOf(input.entity, input.transition)) ?? []) {
        await effect(inner, { ...input, ...result });
      }
      return result;
    });
  }

  return {
    /** Attaches `effect` to a transition; effects run in registration order after the state change. */
    onTransition(entity: FsmEntity, transitionName: string, effect: TransitionEffect) {
      if (!findTransition(entity, transitionName)) {
        throw new Error(`onTransition: ${entity} has no transition ${transitionName}`);
      }
      const key = keyOf(entity, transitionName);
      effects.set(key, [...(effects.get(key) ?? []), effect]);
    },

    transition,

    /** Current state, the manual transitions allowed from it, and every transition it allows. */
    async getEntityState(organizationId: number, entityName: string, entityId: number) {
      const entity = entityOf(entityName);
      const state = await requireState(organizationId, entity, entityId);
      return {
        entity_name: entity,
        entity_id: entityId,
        state,
        allowed_transitions: allowedTransitions(entity, state, { manualOnly: true }),
        available_transitions: allowedTransitions(entity, state).map((name) => {
          const def = MACHINES[entity].transitions[name]!;
          return { name, target_state: def.to, manual: def.manual };
        }),
        last_record: await history.latest(organizationId, entity, entityId),
      };
    },

    /** One page of an entity's history (404 for unknown entity names and other organizations). */
    async history(
      organizationId: number,
      entityName: string,
      entityId: number,
      filters: HistoryFilters,
      page: { limit: number; offset: number },
    ) {
      const entity = entityOf(entityName);
      await requireState(organizationId, entity, entityId);
      return history.page(organizationId, entity, entityId, filters, page);
    },

    /**
     * Runs a manual transition for a member: 400 for unknown or automatic-only names, 404 for an
     * unknown entity, 409 with `current_state` and the allowed manual transitions when the current
     * state does not allow it or `expected_state` is stale. Registered effects run with it.
     */
    async executeManual(
      organizationId: number,
      memberId: number,
      entityName: string,
      entityId: number,
      body: ManualTransitionBody,
    ): Promise<{ success: true; new_state: string; state_record: StateRecord }> {
      const entity = entityOf(entityName);
      const def = findTransition(entity, body.transition_name);
      const invalid = (message: string) =>
        new AppError("BAD_REQUEST", message, [{ path: ["transition_name"], message }]);
      if (!def) throw invalid(`Unknown transition "${body.transition_name}" for ${entity}`);
      if (!def.manual) throw invalid(`Transition "${def.name}" is automatic and cannot be run manually`);
      await requireState(organizationId, entity, entityId);
      let result: TransitionResult;
      try {
        result = await transition({
          organizationId,
          entity,
          entityId,
          transition: def.name,
          triggeredBy: memberId,
          reason: body.reason ?? null,
          context: { ...(body.transition_data ?? {}), source: "manual" },
          ...(body.expected_state !== undefined ? { expectedState: body.expected_state } : {}),
        });
      } catch (error) {
        if (isAppError(error) && error.code === "CONFLICT" && error.extra?.current_state !== undefined) {
          throw manualConflict(entity, error);
        }
        throw error;
      }
      const record = await history.get(result.historyId);
      if (!record) throw new AppError("INTERNAL", "The transition's history row is missing");
      return { success: true, new_state: result.state, state_record: record };
    },
  };
}
export type FsmService = ReturnType<typeof createFsmService>;
