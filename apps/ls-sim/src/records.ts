import {
  type AnnotationRow,
  nextId,
  type PredictionRow,
  type ProjectRow,
  type SimState,
  type TaskRow,
} from "./state.js";
import { now, randomHex } from "./util.js";

/** Creates a task; `inner_id` is 1-based within the project, `id` global (§4.1). */
export function createTask(
  state: SimState,
  project: ProjectRow,
  input: { data: Record<string, unknown>; meta?: Record<string, unknown>; fileUpload?: number | null },
): TaskRow {
  const inner = state.tasks
    .filter((t) => t.project === project.id)
    .reduce((m, t) => Math.max(m, t.inner_id), 0);
  const stamp = now();
  const task: TaskRow = {
    id: nextId(state, "task"),
    inner_id: inner + 1,
    project: project.id,
    data: input.data,
    meta: input.meta ?? {},
    created_at: stamp,
    updated_at: stamp,
    updated_by: null,
    file_upload: input.fileUpload ?? null,
    overlap: Number(project.fields.maximum_annotations ?? 1),
    allow_skip: null,
  };
  state.tasks.push(task);
  return task;
}

/** Writable annotation fields accepted on create/update (§5). */
export interface AnnotationInput {
  result?: unknown[];
  was_cancelled?: boolean;
  ground_truth?: boolean;
  lead_time?: number | null;
  completed_by?: number;
  parent_prediction?: number | null;
  parent_annotation?: number | null;
  import_id?: number | null;
  last_action?: string | null;
  bulk_created?: boolean | null;
}

/** Setting `ground_truth: true` clears the flag on the task's other annotations (§5). */
function keepSingleGroundTruth(state: SimState, ann: AnnotationRow): void {
  if (!ann.ground_truth) return;
  for (const other of state.annotations) {
    if (other.task === ann.task && other.id !== ann.id) other.ground_truth = false;
  }
}

/** Creates an annotation and bumps the task's `updated_at`/`updated_by`. */
export function createAnnotation(
  state: SimState,
  task: TaskRow,
  input: AnnotationInput,
  userId: number,
): AnnotationRow {
  const stamp = now();
  const completedBy = input.completed_by ?? userId;
  const ann: AnnotationRow = {
    id: nextId(state, "annotation"),
    task: task.id,
    project: task.project,
    result: input.result ?? [],
    completed_by: completedBy,
    updated_by: completedBy,
    was_cancelled: input.was_cancelled ?? false,
    ground_truth: input.ground_truth ?? false,
    lead_time: input.lead_time ?? null,
    created_at: stamp,
    updated_at: stamp,
    draft_created_at: null,
    import_id: input.import_id ?? null,
    last_action: input.last_action ?? (input.was_cancelled ? "skipped" : "submitted"),
    last_created_by: null,
    parent_prediction: input.parent_prediction ?? null,
    parent_annotation: input.parent_annotation ?? null,
    bulk_created: input.bulk_created ?? false,
    unique_id: `${randomHex(4)}-${randomHex(2)}-${randomHex(2)}-${randomHex(2)}-${randomHex(6)}`,
  };
  state.annotations.push(ann);
  keepSingleGroundTruth(state, ann);
  task.updated_at = stamp;
  task.updated_by = userId;
  return ann;
}

/** Applies an update to an annotation (PATCH/PUT). */
export function updateAnnotation(
  state: SimState,
  ann: AnnotationRow,
  input: AnnotationInput,
  userId: number,
): void {
  const stamp = now();
  Object.assign(ann, Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)));
  ann.updated_at = stamp;
  ann.updated_by = userId;
  if (input.last_action === undefined) ann.last_action = "updated";
  keepSingleGroundTruth(state, ann);
  const task = state.tasks.find((t) => t.id === ann.task);
  if (task) {
    task.updated_at = stamp;
    task.updated_by = userId;
  }
}

/** Creates a prediction for a task. */
export function createPrediction(
  state: SimState,
  task: TaskRow,
  input: { result?: unknown; score?: unknown; model_version?: unknown },
  project: ProjectRow,
): PredictionRow {
  const stamp = now();
  const pred: PredictionRow = {
    id: nextId(state, "prediction"),
    task: task.id,
    project: task.project,
    result: Array.isArray(input.result) ? input.result : [],
    score: typeof input.score === "number" ? input.score : null,
    model_version:
      typeof input.model_version === "string"
        ? input.model_version
        : String(project.fields.model_version ?? ""),
    created_at: stamp,
    updated_at: stamp,
  };
  state.predictions.push(pred);
  return pred;
}
