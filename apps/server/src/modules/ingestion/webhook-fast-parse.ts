import type { LsAnnotation } from "../../labelstudio/types.js";
import type { LsWebhookEvent } from "../../labelstudio/webhook-payload.js";

/**
 * The webhook hot path's parser: a hand check of the few shapes an annotation webhook
 * (ANNOTATION_CREATED, ANNOTATIONS_CREATED, ANNOTATION_UPDATED) carries, giving what
 * `parseWebhookPayload` gives for the fields ingestion reads. It accepts only bodies the Zod schemas
 * accept (it checks the same fields with the same types); anything else, including everything it is
 * unsure of (other actions, an expanded `completed_by`, tasks with embedded lists), answers null and
 * the caller runs the full Zod parse, which then decides (and words the 400). Pure.
 */
export function fastParseWebhook(body: unknown): LsWebhookEvent | null {
  if (!isObject(body)) return null;
  const action = body.action;
  if (action !== "ANNOTATION_CREATED" && action !== "ANNOTATIONS_CREATED" && action !== "ANNOTATION_UPDATED")
    return null;
  // `tasks` and `annotations` are parsed by the full schema only (lists this path never needs).
  if (!isNullish(body.tasks) || !isNullish(body.annotations)) return null;
  const project = body.project;
  if (!isNullish(project) && !(isObject(project) && typeof project.id === "number")) return null;
  if (!isNullish(body.task) && !isTask(body.task)) return null;
  const raw = body.annotation;
  const list = isNullish(raw) ? [] : Array.isArray(raw) ? raw : [raw];
  const annotations: LsAnnotation[] = [];
  for (const item of list) {
    const annotation = annotationOf(item);
    if (!annotation) return null;
    annotations.push(annotation);
  }
  return {
    action,
    projectId: isObject(project) ? (project.id as number) : null,
    annotations,
    // Ingestion never reads the tasks of an annotation webhook; the full parse would list `task`.
    tasks: [],
    deletedAnnotationIds: null,
    deletedTaskIds: null,
  };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isNullish = (v: unknown) => v === undefined || v === null;
const nullishNumber = (v: unknown) => isNullish(v) || typeof v === "number";
const nullishString = (v: unknown) => isNullish(v) || typeof v === "string";
const nullishBoolean = (v: unknown) => isNullish(v) || typeof v === "boolean";

/** `LsTask` (types.ts) without embedded annotations/predictions (those go to the full parse). */
function isTask(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.id === "number" &&
    isObject(v.data) &&
    (isNullish(v.meta) || isObject(v.meta)) &&
    nullishNumber(v.inner_id) &&
    nullishNumber(v.project) &&
    nullishString(v.created_at) &&
    nullishString(v.updated_at) &&
    nullishBoolean(v.is_labeled) &&
    nullishNumber(v.total_annotations) &&
    nullishNumber(v.cancelled_annotations) &&
    nullishNumber(v.total_predictions) &&
    isNullish(v.annotations) &&
    isNullish(v.predictions)
  );
}

/** `LsResultItem` (types.ts). */
function isResultItem(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.type === "string" &&
    nullishString(v.id) &&
    nullishString(v.from_name) &&
    nullishString(v.to_name) &&
    (isNullish(v.value) || isObject(v.value)) &&
    nullishString(v.origin) &&
    nullishNumber(v.score)
  );
}

/** `LsAnnotation` (types.ts) with `completed_by` a number or absent, normalised like its transform. */
function annotationOf(v: unknown): LsAnnotation | null {
  if (!isObject(v) || typeof v.id !== "number") return null;
  if (
    !nullishNumber(v.task) ||
    !nullishNumber(v.project) ||
    !nullishNumber(v.completed_by) ||
    !nullishNumber(v.updated_by) ||
    !nullishNumber(v.lead_time) ||
    !nullishBoolean(v.was_cancelled) ||
    !nullishBoolean(v.ground_truth) ||
    !nullishString(v.created_at) ||
    !nullishString(v.updated_at) ||
    !nullishString(v.last_action)
  )
    return null;
  const result = v.result;
  if (!isNullish(result) && !(Array.isArray(result) && result.every(isResultItem))) return null;
  return {
    ...v,
    result: (result ?? []) as LsAnnotation["result"],
    was_cancelled: (v.was_cancelled as boolean | null | undefined) ?? false,
    ground_truth: (v.ground_truth as boolean | null | undefined) ?? false,
    completed_by: (v.completed_by as number | null | undefined) ?? null,
    completed_by_user: null,
  } as LsAnnotation;
}
