import type { SimConfig } from "./config.js";
import type { FaultController } from "./faults.js";
import type { SimState, UserRow } from "./state.js";
import type { WebhookDispatcher } from "./webhooks.js";

/** Shared dependencies of every route module; there are no module-level singletons. */
export interface SimContext {
  config: SimConfig;
  state: SimState;
  /** Marks state dirty; the persister writes it after the debounce window. */
  save(): void;
  faults: FaultController;
  webhooks: WebhookDispatcher;
  /** Called by the crash fault, after the response is sent. */
  onCrash(): void;
}

/** Hono environment: authenticated routes see the caller in `c.get("user")`. */
export interface SimEnv {
  Variables: { user: UserRow };
}
