import { MACHINES } from "./machines.js";

/**
 * The state backfill's derivation rules: what state the data says an entity is in. Pure functions,
 * table-tested. A rule keeps the stored state whenever the data cannot contradict it (decisions such
 * as `cancelled`, `PAUSED` or `ARCHIVED` leave no other trace), and replaces it only when the data
 * disagrees or the stored value is not a state of the machine at all.
 */

export interface AssignmentFacts {
  taskCount: number;
  completedCount: number;
  /** The LS project exists (delivery happened). */
  isDelivered: boolean;
}

export interface TaskFacts {
  /** Annotations of the item that are neither DELETED nor cancelled. */
  liveAnnotations: number;
  /** Annotations the item needs (the workflow's annotationsPerItem). */
  required: number;
  /** Open (pending/in-progress) assignments holding the item, its task neither done nor released. */
  openHolds: number;
}

export interface WorkflowFacts {
  assignmentCount: number;
}

export interface AnnotatorFacts {
  hasContainer: boolean;
  hasError: boolean;
}

const isState = (entity: keyof typeof MACHINES, state: string) => MACHINES[entity].states.includes(state);

/** Assignment: completed once every task is done; otherwise in_progress when delivered, else pending. */
export function deriveAssignmentState(stored: string, facts: AssignmentFacts): string {
  if (stored === "failed" || stored === "cancelled") return stored;
  if (facts.taskCount > 0 && facts.completedCount >= facts.taskCount) return "completed";
  return facts.isDelivered ? "in_progress" : "pending";
}

const TASK_DECISIONS = new Set(["IN_REVIEW", "ACCEPTED", "REJECTED", "REWORK", "ESCALATED", "ARCHIVED"]);

/**
 * Task (item): review decisions are kept; otherwise COMPLETED with enough live annotations,
 * IN_PROGRESS when annotated at all or held by an open assignment, else CREATED.
 */
export function deriveTaskState(stored: string, facts: TaskFacts): string {
  if (TASK_DECISIONS.has(stored)) return stored;
  if (facts.liveAnnotations >= Math.max(facts.required, 1)) return "COMPLETED";
  if (facts.liveAnnotations > 0 || facts.openHolds > 0) return "IN_PROGRESS";
  return "CREATED";
}

/** Workflow: CREATED until its first assignment; PAUSED, COMPLETED and IN_PROGRESS are decisions. */
export function deriveWorkflowState(stored: string, facts: WorkflowFacts): string {
  if (stored === "PAUSED" || stored === "COMPLETED" || stored === "IN_PROGRESS") return stored;
  return facts.assignmentCount > 0 ? "IN_PROGRESS" : "CREATED";
}

/** Annotation: every valid state is a decision (review, deletion); anything else is CREATED. */
export function deriveAnnotationState(stored: string): string {
  return isState("annotation", stored) ? stored : "CREATED";
}

/**
 * Annotator: the instance's runtime state lives in the backend, not in the data, so a valid state is
 * kept; an invalid one becomes `error` (an error is recorded), `stopped` (a container exists) or
 * `created`.
 */
export function deriveAnnotatorState(stored: string, facts: AnnotatorFacts): string {
  if (isState("annotator", stored)) return stored;
  if (facts.hasError) return "error";
  return facts.hasContainer ? "stopped" : "created";
}
