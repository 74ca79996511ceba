import type { z } from "zod";

export interface JobContext {
  jobId: number;
  attempt: number;
}

/** One kind of job: its payload schema, retry policy and idempotent handler (STYLE §9). */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  payload: S;
  /** Attempts before the job is marked failed (default 5). */
  maxAttempts?: number;
  /** Delay before retry `attempt` (1-based); default exponential from 1 s, capped at 5 min. */
  backoffMs?: (attempt: number) => number;
  /** How long a worker holds the job before another may take it over (default 5 min). */
  lockMs?: number;
  handler: (payload: z.output<S>, context: JobContext) => Promise<void>;
}

export const defaultBackoff = (attempt: number) => Math.min(1000 * 2 ** (attempt - 1), 300_000);

/** Name → definition. Modules register their jobs at composition time. */
export function createJobCatalog() {
  const definitions = new Map<string, JobDefinition>();
  return {
    register<S extends z.ZodType>(definition: JobDefinition<S>) {
      if (definitions.has(definition.name)) throw new Error(`Job ${definition.name} is registered twice`);
      definitions.set(definition.name, definition as unknown as JobDefinition);
    },
    get: (name: string) => definitions.get(name),
    names: () => [...definitions.keys()],
  };
}
export type JobCatalog = ReturnType<typeof createJobCatalog>;

/** Typed helper so a module can declare a job next to its service. */
export const defineJob = <S extends z.ZodType>(definition: JobDefinition<S>) => definition;
