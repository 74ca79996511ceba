import type { FsmEntity } from "./machines.js";

/**
 * Where each entity keeps its current state. Only `transition.ts` writes these columns (a test scans
 * the codebase for other writers); SQL names are fixed strings so raw statements stay index-friendly.
 */
export const ENTITY_STORAGE: Readonly<Record<FsmEntity, { table: string; column: string }>> = {
  annotator: { table: "annotators", column: "status" },
  assignment: { table: "assignments", column: "status" },
  workflow: { table: "workflows", column: "state" },
  task: { table: "items", column: "state" },
  annotation: { table: "annotations", column: "state" },
};
