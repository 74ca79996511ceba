import type { Db } from "../../db/client.js";
import { isAppError } from "../../lib/app-error.js";
import { applyTransition, type TransitionInput, type TransitionResult } from "../fsm/transition.js";

/**
 * Applies a transition when the entity's current state allows it; returns null instead of throwing
 * when it does not (follow-up jobs are re-run, and a state someone else already moved is not an
 * error for them). Any other error propagates.
 */
export async function tryTransition(db: Db, input: TransitionInput): Promise<TransitionResult | null> {
  try {
    return await applyTransition(db, input);
  } catch (error) {
    if (isAppError(error) && error.code === "CONFLICT") return null;
    throw error;
  }
}
