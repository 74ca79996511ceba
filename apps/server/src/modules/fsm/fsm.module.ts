import type { Db } from "../../db/client.js";
import { type BackfillDeps, createBackfillService } from "./backfill.service.js";
import { createFsmService } from "./fsm.service.js";

/** Composes the FSM: transitions with their effects registry, the history API and the state backfill jobs. */
export function createFsmModule(deps: { db: Db; jobs: BackfillDeps["jobs"]; backfillBatchSize?: number }) {
  return {
    ...createFsmService({ db: deps.db }),
    backfill: createBackfillService({
      db: deps.db,
      jobs: deps.jobs,
      ...(deps.backfillBatchSize ? { batchSize: deps.backfillBatchSize } : {}),
    }),
  };
}
export type FsmModule = ReturnType<typeof createFsmModule>;
