import { validationError } from "./errors.js";
import { checkResults, type ParsedLabelConfig } from "./label-config.js";
import type { SimState } from "./state.js";
import { isRecord } from "./util.js";

/** One task to create, after normalisation of the import body (§4.1). */
export interface ImportItem {
  data: Record<string, unknown>;
  meta: Record<string, unknown>;
  annotations: Record<string, unknown>[];
  predictions: Record<string, unknown>[];
}

/** `data.a.b` lookup used for dotted data keys. */
function hasKey(data: Record<string, unknown>, key: string): boolean {
  let cur: unknown = data;
  for (const part of key.split("[")[0]?.split(".") ?? []) {
    if (!isRecord(cur) || !(part in cur)) return false;
    cur = cur[part];
  }
  return true;
}

/** An item with a `data` object is a full task; any other object is the `data` itself. */
function normalise(raw: unknown): ImportItem | null {
  if (!isRecord(raw)) return null;
  if (isRecord(raw.data)) {
    return {
      data: raw.data,
      meta: isRecord(raw.meta) ? raw.meta : {},
      annotations: Array.isArray(raw.annotations) ? raw.annotations.filter(isRecord) : [],
      predictions: Array.isArray(raw.predictions) ? raw.predictions.filter(isRecord) : [],
    };
  }
  return { data: raw, meta: {}, annotations: [], predictions: [] };
}

/**
 * Normalises and validates an import body: every `$variable` of the config must exist in each `data`,
 * embedded annotation authors must be known, and predictions must match the config.
 * @throws LsError 400 with `validation_errors`.
 */
export function parseImportItems(state: SimState, cfg: ParsedLabelConfig, body: unknown): ImportItem[] {
  const rawItems = Array.isArray(body) ? body : [body];
  const items: ImportItem[] = [];
  for (const raw of rawItems) {
    const item = normalise(raw);
    if (!item) throw validationError({ non_field_errors: ["Task is empty (None)"] });
    items.push(item);
  }
  if (items.length === 0) throw validationError({ non_field_errors: ["No tasks found in the request"] });
  const dataErrors: string[] = [];
  const annotationErrors: string[] = [];
  const predictionErrors: string[] = [];
  items.forEach((item, index) => {
    for (const key of Object.keys(cfg.dataTypes)) {
      if (!hasKey(item.data, key)) dataErrors.push(`"${key}" key is expected in task data`);
    }
    for (const ann of item.annotations) {
      const by = ann.completed_by;
      if (typeof by === "string" && !state.users.some((u) => u.email === by)) {
        annotationErrors.push(`Unknown user email in task #${index}: ${by}`);
      }
      if (ann.result !== undefined && !Array.isArray(ann.result))
        annotationErrors.push(`result must be a list in task #${index}`);
    }
    for (const pred of item.predictions) {
      const result = Array.isArray(pred.result) ? pred.result : [];
      for (const msg of checkResults(cfg, result)) predictionErrors.push(`task #${index}: ${msg}`);
    }
  });
  const errors: Record<string, string[]> = {};
  if (dataErrors.length > 0) errors.non_field_errors = [...new Set(dataErrors)];
  if (annotationErrors.length > 0) errors.annotations = annotationErrors;
  if (predictionErrors.length > 0) errors.predictions = predictionErrors;
  if (Object.keys(errors).length > 0) throw validationError(errors);
  return items;
}
