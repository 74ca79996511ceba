import { z } from "zod";
import { defineJob, type JobCatalog } from "../../jobs/catalog.js";
import { type HealthService, JOB_HEALTH_CHECK, JOB_RESTART } from "./health.service.js";
import { JOB_REMOVE_INSTANCE, JOB_START, type LifecycleService } from "./lifecycle.service.js";

const AnnotatorJob = z.object({ annotatorId: z.number().int().positive() });

/** The annotator lifecycle's jobs; each handler is idempotent (it re-reads the annotator's state). */
export function registerAnnotatorJobs(
  catalog: JobCatalog,
  deps: { lifecycle: LifecycleService; health: HealthService; startTimeoutMs: number },
) {
  // A start waits for readiness; the lock outlives that wait so no other worker takes the job over.
  const lockMs = deps.startTimeoutMs + 120_000;
  catalog.register(
    defineJob({
      name: JOB_START,
      payload: AnnotatorJob,
      maxAttempts: 3,
      lockMs,
      handler: async ({ annotatorId }) => {
        await deps.lifecycle.runStart(annotatorId);
      },
    }),
  );
  catalog.register(
    defineJob({
      name: JOB_RESTART,
      payload: AnnotatorJob,
      maxAttempts: 3,
      lockMs,
      handler: ({ annotatorId }) => deps.health.restart(annotatorId),
    }),
  );
  catalog.register(
    defineJob({
      name: JOB_REMOVE_INSTANCE,
      payload: AnnotatorJob,
      maxAttempts: 5,
      handler: ({ annotatorId }) => deps.lifecycle.removeInstance(annotatorId),
    }),
  );
  catalog.register(
    defineJob({
      name: JOB_HEALTH_CHECK,
      payload: z.object({}),
      maxAttempts: 1,
      handler: async () => {
        await deps.health.checkAll();
      },
    }),
  );
}
