import type { Context, Hono } from "hono";
import type { SimContext, SimEnv } from "../context.js";
import { LsError, notFound, validationError } from "../errors.js";
import { readBody } from "../http.js";
import { type ImportItem, parseImportItems } from "../import-items.js";
import { checkResults } from "../label-config.js";
import { createAnnotation, createPrediction, createTask } from "../records.js";
import { projectConfig, projectHook } from "../serializers/project.js";
import { taskModel } from "../serializers/task.js";
import { nextId, type ProjectRow, type TaskRow } from "../state.js";
import { boolParam, isRecord, now, parseId } from "../util.js";
import { getProject } from "./projects.js";

interface ParsedUpload {
  body: unknown;
  fileUploadIds: number[];
  foundFormats: Record<string, number> | string[];
}

/** JSON body, or multipart JSON files (each file becomes a FileUpload row). */
async function readImportBody(
  ctx: SimContext,
  c: Context<SimEnv>,
  project: ProjectRow,
): Promise<ParsedUpload> {
  const type = c.req.header("content-type") ?? "";
  if (!type.includes("multipart/form-data"))
    return { body: await readBody(c), fileUploadIds: [], foundFormats: [] };
  const form = await c.req.formData();
  const items: unknown[] = [];
  const ids: number[] = [];
  const formats: Record<string, number> = {};
  for (const value of form.values()) {
    if (typeof value === "string")
      throw new LsError(400, "URL and form-field imports are not supported by ls-sim");
    const ext = value.name.slice(value.name.lastIndexOf(".")).toLowerCase();
    if (ext !== ".json") throw new LsError(400, `ls-sim only imports .json files, got ${value.name}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await value.text());
    } catch (err) {
      throw validationError({
        file_upload: [`Can't parse JSON file ${value.name}: ${(err as Error).message}`],
      });
    }
    const id = nextId(ctx.state, "fileUpload");
    ctx.state.fileUploads.push({
      id,
      project: project.id,
      file: `upload/${project.id}/${value.name}`,
      created_at: now(),
    });
    ids.push(id);
    formats[ext] = (formats[ext] ?? 0) + 1;
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) items.push(item);
  }
  return { body: items, fileUploadIds: ids, foundFormats: formats };
}

/** Creates tasks, embedded annotations (ground truth by default, §4.1) and predictions. */
function commitItems(
  ctx: SimContext,
  project: ProjectRow,
  items: ImportItem[],
  userId: number,
  fileUpload: number | null,
) {
  const tasks: TaskRow[] = [];
  let annotations = 0;
  let predictions = 0;
  for (const item of items) {
    const task = createTask(ctx.state, project, { data: item.data, meta: item.meta, fileUpload });
    tasks.push(task);
    for (const ann of item.annotations) {
      const by = ann.completed_by;
      const completedBy =
        typeof by === "number"
          ? by
          : typeof by === "string"
            ? ctx.state.users.find((u) => u.email === by)?.id
            : undefined;
      createAnnotation(
        ctx.state,
        task,
        {
          result: Array.isArray(ann.result) ? ann.result : [],
          was_cancelled: ann.was_cancelled === true,
          // The trap of §4.1: embedded annotations are gold unless they say otherwise.
          ground_truth: ann.ground_truth !== false,
          lead_time: typeof ann.lead_time === "number" ? ann.lead_time : null,
          completed_by: completedBy ?? userId,
          import_id: typeof ann.id === "number" ? ann.id : null,
          last_action: "imported",
        },
        userId,
      );
      annotations += 1;
    }
    for (const pred of item.predictions) {
      createPrediction(ctx.state, task, pred, project);
      predictions += 1;
    }
  }
  return { tasks, annotations, predictions };
}

/** `POST /api/projects/{id}/import` (no trailing slash) and its relatives (§4.1). */
export function registerImportRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  app.post("/api/projects/:id/import", async (c) => {
    const started = performance.now();
    const project = getProject(ctx, c.req.param("id"));
    const upload = await readImportBody(ctx, c, project);
    const items = parseImportItems(ctx.state, projectConfig(project), upload.body);
    const done = commitItems(ctx, project, items, c.get("user").id, upload.fileUploadIds[0] ?? null);
    ctx.save();
    const dataColumns = [...new Set(items.flatMap((i) => Object.keys(i.data)))].sort();
    const quirks = ctx.faults.settings.quirks;
    const result: Record<string, unknown> = {
      task_count: done.tasks.length,
      annotation_count: done.annotations,
      [quirks.importCountKey]: done.predictions,
      duration: (performance.now() - started) / 1000,
      file_upload_ids: upload.fileUploadIds,
      could_be_tasks_list: false,
      found_formats: upload.foundFormats,
      data_columns: dataColumns,
    };
    if (boolParam(c.req.query("return_task_ids"), false)) result.task_ids = done.tasks.map((t) => t.id);
    await ctx.webhooks.emit("TASKS_CREATED", project.id, {
      tasks: done.tasks.map((t) => taskModel(ctx.state, t)),
      project: projectHook(ctx.state, project),
    });
    if (!quirks.asyncImport) return c.json(result, 201);
    const id = nextId(ctx.state, "import");
    ctx.state.imports.push({
      id,
      project: project.id,
      created_at: now(),
      result: { ...result, task_ids: done.tasks.map((t) => t.id) },
    });
    return c.json({ import: id }, 201);
  });

  // Enterprise-style import status (only reachable with the asyncImport quirk).
  app.get("/api/projects/:id/imports/:importId/", (c) => {
    const project = getProject(ctx, c.req.param("id"));
    const row = ctx.state.imports.find(
      (i) => i.id === parseId(c.req.param("importId")) && i.project === project.id,
    );
    if (!row) throw notFound();
    return c.json({
      id: row.id,
      project: project.id,
      status: "completed",
      error: null,
      created_at: row.created_at,
      ...row.result,
    });
  });

  app.post("/api/projects/:id/import/predictions", async (c) => {
    const project = getProject(ctx, c.req.param("id"));
    const body = await readBody(c);
    const rows = (Array.isArray(body) ? body : [body]).filter(isRecord);
    const cfg = projectConfig(project);
    const tasks = rows.map((r) => ctx.state.tasks.find((t) => t.id === r.task && t.project === project.id));
    const errors = rows.flatMap((r, i) =>
      tasks[i]
        ? checkResults(cfg, Array.isArray(r.result) ? r.result : [])
        : [`task ${String(r.task)} is not in project ${project.id}`],
    );
    if (errors.length > 0) throw validationError({ predictions: errors });
    for (const [i, r] of rows.entries()) createPrediction(ctx.state, tasks[i] as TaskRow, r, project);
    ctx.save();
    return c.json({ created: rows.length }, 201);
  });
}
