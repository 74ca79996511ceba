import type { AnnotationRow, PredictionRow, SimState, TaskRow } from "../state.js";
import { userBrief } from "./project.js";

/** Counters of one task (§4.2): skips do not count towards `total_annotations` or `is_labeled`. */
export function taskStats(state: SimState, task: TaskRow): Record<string, unknown> {
  const anns = state.annotations.filter((a) => a.task === task.id);
  const live = anns.filter((a) => !a.was_cancelled).length;
  const project = state.projects.find((p) => p.id === task.project);
  const maxAnn = Number(project?.fields.maximum_annotations ?? 1);
  return {
    is_labeled: live >= maxAnn,
    total_annotations: live,
    cancelled_annotations: anns.length - live,
    total_predictions: state.predictions.filter((p) => p.task === task.id).length,
  };
}

/** Plain model dump (`fields='__all__'`) used in webhook payloads: FKs are ids, no URI resolution (§6.3). */
export function taskModel(state: SimState, task: TaskRow): Record<string, unknown> {
  return {
    id: task.id,
    data: task.data,
    meta: task.meta,
    created_at: task.created_at,
    updated_at: task.updated_at,
    ...taskStats(state, task),
    overlap: task.overlap,
    project: task.project,
    file_upload: task.file_upload,
    updated_by: task.updated_by,
    inner_id: task.inner_id,
    comment_count: 0,
    unresolved_comment_count: 0,
    last_comment_updated_at: null,
    allow_skip: task.allow_skip,
  };
}

/** Annotation model dump (webhooks, export): every column, `completed_by` as id. */
export function annotationModel(a: AnnotationRow): Record<string, unknown> {
  return {
    id: a.id,
    result: a.result,
    was_cancelled: a.was_cancelled,
    ground_truth: a.ground_truth,
    created_at: a.created_at,
    updated_at: a.updated_at,
    draft_created_at: a.draft_created_at,
    lead_time: a.lead_time,
    prediction: {},
    result_count: a.result.length,
    unique_id: a.unique_id,
    import_id: a.import_id,
    last_action: a.last_action,
    bulk_created: a.bulk_created,
    task: a.task,
    project: a.project,
    completed_by: a.completed_by,
    updated_by: a.updated_by,
    parent_prediction: a.parent_prediction,
    parent_annotation: a.parent_annotation,
    last_created_by: a.last_created_by,
  };
}

/** `AnnotationSerializer` output; `expandUser` gives the object form of `completed_by` (§10.4). */
export function annotationApi(
  state: SimState,
  a: AnnotationRow,
  expandUser = false,
): Record<string, unknown> {
  const user = state.users.find((u) => u.id === a.completed_by);
  const { prediction: _p, result_count: _r, unique_id: _u, ...columns } = annotationModel(a);
  return {
    ...columns,
    created_username: `${user?.email ?? ""}, ${a.completed_by}`,
    created_ago: "0\u00a0minutes",
    completed_by: expandUser ? userBrief(user, a.completed_by) : a.completed_by,
  };
}

/** Prediction API representation. */
export function predictionApi(p: PredictionRow): Record<string, unknown> {
  return {
    id: p.id,
    result: p.result,
    model_version: p.model_version,
    created_ago: "0\u00a0minutes",
    score: p.score,
    cluster: null,
    neighbors: null,
    mislabeling: 0,
    created_at: p.created_at,
    updated_at: p.updated_at,
    model: null,
    model_run: null,
    task: p.task,
    project: p.project,
  };
}

/** Python's `urlsafe_b64encode` (with padding), as used in `?fileuri=`. */
export function encodeFileUri(uri: string): string {
  return Buffer.from(uri, "utf8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/**
 * Rewrites `s3://bucket/key` values into the storage proxy URL when the project has an S3 import storage
 * for that bucket (§4.2, §8). Only top-level string values are rewritten.
 */
export function resolveData(state: SimState, task: TaskRow): Record<string, unknown> {
  const buckets = new Set(
    state.storages.filter((s) => s.project === task.project).map((s) => String(s.fields.bucket ?? "")),
  );
  if (buckets.size === 0) return task.data;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(task.data)) {
    const m = typeof value === "string" ? /^s3:\/\/([^/]+)\//.exec(value) : null;
    out[key] =
      m?.[1] && buckets.has(m[1])
        ? `/tasks/${task.id}/resolve/?fileuri=${encodeFileUri(value as string)}`
        : value;
  }
  return out;
}

export interface TaskViewOptions {
  annotations: boolean;
  expandUsers: boolean;
  resolveUri: boolean;
}

/** Task as the API shows it (task detail, project task list, Data Manager list). */
export function taskApi(state: SimState, task: TaskRow, opts: TaskViewOptions): Record<string, unknown> {
  const anns = state.annotations.filter((a) => a.task === task.id);
  const preds = state.predictions.filter((p) => p.task === task.id);
  const view: Record<string, unknown> = {
    ...taskModel(state, task),
    data: opts.resolveUri ? resolveData(state, task) : task.data,
    annotators: [...new Set(anns.map((a) => a.completed_by))],
    completed_at: anns.length > 0 ? anns[anns.length - 1]?.created_at : null,
    avg_lead_time: average(anns.map((a) => a.lead_time)),
    draft_exists: false,
    predictions_score: average(preds.map((p) => p.score)),
    storage_filename: null,
    comment_authors: [],
  };
  if (opts.annotations) {
    view.annotations = anns.map((a) => annotationApi(state, a, opts.expandUsers));
    view.predictions = preds.map(predictionApi);
    view.drafts = [];
  }
  return view;
}

function average(values: (number | null)[]): number | null {
  const nums = values.filter((v): v is number => typeof v === "number");
  return nums.length === 0 ? null : nums.reduce((s, v) => s + v, 0) / nums.length;
}

/** Export options: expansions (§7.2) and which annotations to include. */
export interface ExportOptions {
  expandUsers: boolean;
  expandPredictions: boolean;
  includeAnnotation: (a: AnnotationRow) => boolean;
}

/** One element of the JSON export (§7.3): no `is_labeled`/`overlap`, predictions as ids, upload as filename. */
export function exportTask(state: SimState, task: TaskRow, opts: ExportOptions): Record<string, unknown> {
  const { is_labeled: _l, overlap: _o, file_upload: _f, allow_skip: _s, ...model } = taskModel(state, task);
  const upload = state.fileUploads.find((f) => f.id === task.file_upload);
  const preds = state.predictions.filter((p) => p.task === task.id);
  return {
    ...model,
    annotations: state.annotations
      .filter((a) => a.task === task.id && opts.includeAnnotation(a))
      .map((a) => {
        const row = annotationModel(a);
        if (opts.expandUsers) {
          row.completed_by = userBrief(
            state.users.find((u) => u.id === a.completed_by),
            a.completed_by,
          );
        }
        return row;
      }),
    predictions: opts.expandPredictions ? preds.map(predictionApi) : preds.map((p) => p.id),
    drafts: [],
    file_upload: upload ? upload.file : null,
    comment_authors: [],
  };
}
