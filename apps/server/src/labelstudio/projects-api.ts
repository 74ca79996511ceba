import { z } from "zod";
import type { Caller } from "./call.js";
import { LabelStudioError } from "./errors.js";
import { importStatusResult, parseImportResponse, parseShape } from "./normalize.js";
import {
  type LsConfigValidation,
  type LsImportResult,
  type LsImportTask,
  type LsPage,
  LsProject,
  type LsProjectInput,
} from "./types.js";

export interface ImportPolling {
  intervalMs: number;
  timeoutMs: number;
}

/** Projects, label config validation and import (contract §3, §4.1). */
export function projectsApi({ call, parsed, none, http }: Caller, polling: ImportPolling) {
  const project = parsed(LsProject, "project");

  async function pollImport(projectId: number, importId: number): Promise<LsImportResult> {
    const deadline = Date.now() + polling.timeoutMs;
    const path = `/api/projects/${projectId}/imports/${importId}/`;
    for (;;) {
      const status = await call(
        { operation: "projects.import.status", method: "GET", path },
        importStatusResult,
      );
      if (status.status === "completed") return status.result;
      if (status.status === "failed" || Date.now() > deadline) {
        throw new LabelStudioError({
          instance: http.baseUrl,
          operation: "projects.import",
          method: "GET",
          path,
          code: status.status === "failed" ? "http" : "timeout",
          status: null,
          body: { status: status.status, error: status.error },
          attempts: 1,
        });
      }
      await new Promise((r) => setTimeout(r, polling.intervalMs));
    }
  }

  return {
    /** `GET /api/projects/` (DRF page of 30 by default). */
    listProjects: (
      o: { page?: number; pageSize?: number; title?: string } = {},
    ): Promise<LsPage<LsProject>> =>
      call(
        {
          operation: "projects.list",
          method: "GET",
          path: "/api/projects/",
          query: { page: o.page, page_size: o.pageSize, title: o.title },
        },
        (body) => {
          const schema = z.looseObject({
            count: z.number(),
            next: z.string().nullish(),
            results: z.array(LsProject),
          });
          const p = parseShape(schema, body, "project page");
          return { count: p.count, next: p.next ?? null, results: p.results };
        },
      ),
    /** `POST /api/projects/` → 201. Not retried. */
    createProject: (input: LsProjectInput) =>
      call({ operation: "projects.create", method: "POST", path: "/api/projects/", body: input }, project),
    /** `GET /api/projects/{id}/`. */
    getProject: (id: number) =>
      call({ operation: "projects.get", method: "GET", path: `/api/projects/${id}/` }, project),
    /** `PATCH /api/projects/{id}/`; a config that drops labels in use is refused with 400 (§3). */
    updateProject: (id: number, patch: LsProjectInput) =>
      call(
        { operation: "projects.update", method: "PATCH", path: `/api/projects/${id}/`, body: patch },
        project,
      ),
    /** `DELETE /api/projects/{id}/` → 204. */
    deleteProject: (id: number) =>
      call({ operation: "projects.delete", method: "DELETE", path: `/api/projects/${id}/` }, none),

    /**
     * Validates a labeling config (`POST /api/projects/validate/` → 204, or the per-project variant that
     * also checks existing annotations). A 400 is returned as `{valid: false, errors}`, not thrown.
     * Retried like a read: validation has no side effects.
     */
    async validateLabelConfig(
      labelConfig: string,
      o: { projectId?: number } = {},
    ): Promise<LsConfigValidation> {
      const path =
        o.projectId === undefined ? "/api/projects/validate/" : `/api/projects/${o.projectId}/validate/`;
      try {
        await http.send({
          operation: "projects.validate",
          method: "POST",
          path,
          body: { label_config: labelConfig },
          idempotent: true,
        });
        return { valid: true };
      } catch (err) {
        const messages =
          err instanceof LabelStudioError && err.status === 400
            ? err.validationErrors?.label_config
            : undefined;
        if (!Array.isArray(messages)) throw err;
        return { valid: false, errors: messages.map(String) };
      }
    },

    /**
     * `POST /api/projects/{id}/import` (no trailing slash). Never retried: a lost answer may still have
     * created the tasks. Handles Community's synchronous answer and Enterprise's `{import}` + polling.
     * Task ids are requested by default so that callers can map their items to LS tasks.
     */
    async importTasks(
      projectId: number,
      tasks: LsImportTask[],
      o: { returnTaskIds?: boolean } = {},
    ): Promise<LsImportResult> {
      const result = await call(
        {
          operation: "projects.import",
          method: "POST",
          path: `/api/projects/${projectId}/import`,
          query: { return_task_ids: o.returnTaskIds === false ? undefined : "true" },
          body: tasks,
        },
        parseImportResponse,
      );
      return "importId" in result ? pollImport(projectId, result.importId) : result;
    },
  };
}
