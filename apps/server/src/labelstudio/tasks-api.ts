import { z } from "zod";
import type { Caller } from "./call.js";
import { LabelStudioError } from "./errors.js";
import { normalizeAnnotationList, normalizeTaskList } from "./normalize.js";
import { LsAnnotation, LsExportTask, type LsResultItem, LsTask, type LsTaskPage } from "./types.js";

export interface TaskListOptions {
  page?: number;
  pageSize?: number;
  /** `all` embeds annotations and predictions (§4.2). Default `all`. */
  fields?: "all" | "task_only";
  /** false returns stored `s3://` URIs instead of `/tasks/{id}/resolve/` URLs (§4.2). Default true. */
  resolveUri?: boolean;
  signal?: AbortSignal;
}

export interface AnnotationInput {
  result: LsResultItem[] | unknown[];
  lead_time?: number;
  was_cancelled?: boolean;
  ground_truth?: boolean;
  completed_by?: number;
  [field: string]: unknown;
}

/** Tasks, annotations and export (contract §4.2, §5, §7). */
export function tasksApi({ call, parsed, none }: Caller) {
  const annotation = parsed(LsAnnotation, "annotation");

  async function listTasks(projectId: number, o: TaskListOptions = {}): Promise<LsTaskPage> {
    const page = o.page ?? 1;
    try {
      return await call(
        {
          operation: "tasks.list",
          method: "GET",
          path: "/api/tasks/",
          query: {
            project: projectId,
            page,
            page_size: o.pageSize ?? 100,
            fields: o.fields ?? "all",
            resolve_uri: o.resolveUri === false ? "false" : undefined,
          },
          signal: o.signal,
        },
        normalizeTaskList,
      );
    } catch (err) {
      // A page past the end is a 404 (§10.1); the SDK treats it as end-of-list.
      if (page > 1 && err instanceof LabelStudioError && err.status === 404)
        return { tasks: [], total: null };
      throw err;
    }
  }

  return {
    /** One page of `GET /api/tasks/?project=…`; a page past the end yields no tasks. */
    listTasks,
    /** Every task of a project, page by page, until a short page, the reported total, or the end 404. */
    async listAllTasks(projectId: number, o: Omit<TaskListOptions, "page"> = {}): Promise<LsTask[]> {
      const pageSize = o.pageSize ?? 100;
      const all: LsTask[] = [];
      for (let page = 1; ; page++) {
        const { tasks, total } = await listTasks(projectId, { ...o, page, pageSize });
        all.push(...tasks);
        if (tasks.length < pageSize || (total !== null && all.length >= total)) return all;
      }
    },
    /** `GET /api/projects/{id}/tasks/` (plain array; `page_size=-1` = all, the default here). */
    listProjectTasks: (projectId: number, o: { page?: number; pageSize?: number } = {}) =>
      call(
        {
          operation: "projects.tasks",
          method: "GET",
          path: `/api/projects/${projectId}/tasks/`,
          query: { page: o.page, page_size: o.pageSize ?? -1 },
        },
        (body) => normalizeTaskList(body).tasks,
      ),
    /** `GET /api/tasks/{id}/` (annotations with expanded `completed_by`, normalised to ids). */
    getTask: (taskId: number) =>
      call({ operation: "tasks.get", method: "GET", path: `/api/tasks/${taskId}/` }, parsed(LsTask, "task")),

    /** `GET /api/tasks/{id}/annotations/`; LS does not list skipped annotations here (§5). */
    listAnnotations: (taskId: number) =>
      call(
        { operation: "annotations.list", method: "GET", path: `/api/tasks/${taskId}/annotations/` },
        normalizeAnnotationList,
      ),
    /** `POST /api/tasks/{id}/annotations/` → 201; emits ANNOTATION_CREATED. Not retried. */
    createAnnotation: (taskId: number, input: AnnotationInput) =>
      call(
        {
          operation: "annotations.create",
          method: "POST",
          path: `/api/tasks/${taskId}/annotations/`,
          body: input,
        },
        annotation,
      ),
    /** `PATCH /api/annotations/{id}/`; emits ANNOTATION_UPDATED. */
    updateAnnotation: (id: number, patch: Partial<AnnotationInput>) =>
      call(
        { operation: "annotations.update", method: "PATCH", path: `/api/annotations/${id}/`, body: patch },
        annotation,
      ),
    /** `DELETE /api/annotations/{id}/` → 204; emits ANNOTATIONS_DELETED. */
    deleteAnnotation: (id: number) =>
      call({ operation: "annotations.delete", method: "DELETE", path: `/api/annotations/${id}/` }, none),

    /**
     * Simple JSON export `GET /api/projects/{id}/export` (no trailing slash, §7.1). By default LS exports
     * only tasks with at least one annotation (skips included).
     */
    exportTasks: (projectId: number, o: { downloadAllTasks?: boolean; taskIds?: number[] } = {}) =>
      call(
        {
          operation: "projects.export",
          method: "GET",
          path: `/api/projects/${projectId}/export`,
          query: {
            exportType: "JSON",
            download_all_tasks: o.downloadAllTasks ? "true" : undefined,
            "ids[]": o.taskIds,
          },
        },
        parsed(z.array(LsExportTask), "export"),
      ),
  };
}
