import { z } from "zod";
import {
  LsAnnotation,
  LsImportQueued,
  LsImportResponse,
  type LsImportResult,
  LsImportStatus,
  LsTask,
  type LsTaskPage,
} from "./types.js";

/** Thrown by the normalisers; the client turns it into an `invalid_response` LabelStudioError. */
export class ShapeError extends Error {}

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ShapeError(`${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/**
 * Accepts every task list shape LS returns (§10.1): the Data Manager's `{tasks, total, …}`,
 * `/api/projects/{id}/tasks/`'s plain array, and a DRF page `{count, results}`.
 */
export function normalizeTaskList(body: unknown): LsTaskPage {
  const obj = record(body);
  let items: unknown;
  let total: number | null = null;
  if (Array.isArray(body)) items = body;
  else if (obj && Array.isArray(obj.tasks)) {
    items = obj.tasks;
    total = typeof obj.total === "number" ? obj.total : null;
  } else if (obj && Array.isArray(obj.results)) {
    items = obj.results;
    total = typeof obj.count === "number" ? obj.count : null;
  } else throw new ShapeError("task list: expected an array, {tasks} or {results}");
  return { tasks: parseOrThrow(z.array(LsTask), items, "task list"), total };
}

/** Annotation lists are plain arrays in Community; a DRF page is accepted too. */
export function normalizeAnnotationList(body: unknown): LsAnnotation[] {
  const obj = record(body);
  const items = Array.isArray(body) ? body : obj && Array.isArray(obj.results) ? obj.results : null;
  if (!items) throw new ShapeError("annotation list: expected an array or {results}");
  return parseOrThrow(z.array(LsAnnotation), items, "annotation list");
}

/** Parses a value with a schema, raising ShapeError with a readable message. */
export function parseShape<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  return parseOrThrow(schema, value, what);
}

/** The import answer is either the Community result or Enterprise's `{import: id}`. */
export function parseImportResponse(body: unknown): LsImportResult | { importId: number } {
  const queued = LsImportQueued.safeParse(body);
  if (queued.success) return { importId: queued.data.import };
  const parsed = parseOrThrow(LsImportResponse, body, "import response");
  return {
    task_count: parsed.task_count,
    annotation_count: parsed.annotation_count ?? null,
    prediction_count: parsed.prediction_count ?? parsed.predictions_count ?? null,
    task_ids: parsed.task_ids ?? null,
    file_upload_ids: parsed.file_upload_ids ?? [],
    duration: parsed.duration ?? null,
  };
}

/** Normalises a finished Enterprise import status into the Community result shape. */
export function importStatusResult(body: unknown): {
  status: string;
  result: LsImportResult;
  error: unknown;
} {
  const s = parseOrThrow(LsImportStatus, body, "import status");
  const taskIds = s.task_ids ?? null;
  return {
    status: s.status,
    error: s.error,
    result: {
      task_count: s.task_count ?? taskIds?.length ?? 0,
      annotation_count: s.annotation_count ?? null,
      prediction_count: s.prediction_count ?? s.predictions_count ?? null,
      task_ids: taskIds,
      file_upload_ids: [],
      duration: null,
    },
  };
}
