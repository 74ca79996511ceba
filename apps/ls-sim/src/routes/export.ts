import type { Context, Hono } from "hono";
import type { SimContext, SimEnv } from "../context.js";
import { LsError, notFound } from "../errors.js";
import { noContent, readObject } from "../http.js";
import { userBrief } from "../serializers/project.js";
import { type ExportOptions, exportTask } from "../serializers/task.js";
import { type AnnotationRow, type ExportRow, nextId, type ProjectRow, type TaskRow } from "../state.js";
import { boolParam, isRecord, now, parseId } from "../util.js";
import { getProject } from "./projects.js";

const FORMATS = [
  { name: "JSON", title: "JSON", description: "List of items in raw JSON format stored in one JSON file." },
  {
    name: "JSON_MIN",
    title: "JSON-MIN",
    description: 'List of items where only "from_name", "to_name" values are kept.',
  },
];

/** JSON_MIN: one flat row per annotation with control values keyed by `from_name`. */
function toJsonMin(tasks: Record<string, unknown>[]): Record<string, unknown>[] {
  return tasks.flatMap((t) =>
    (t.annotations as Record<string, unknown>[]).map((a) => {
      const row: Record<string, unknown> = { id: t.id, ...(t.data as object) };
      for (const r of a.result as { from_name?: string; type?: string; value?: Record<string, unknown> }[]) {
        if (r.from_name && r.type && r.value) row[r.from_name] = r.value[r.type] ?? r.value;
      }
      return {
        ...row,
        annotator: a.completed_by,
        annotation_id: a.id,
        created_at: a.created_at,
        updated_at: a.updated_at,
        lead_time: a.lead_time,
      };
    }),
  );
}

/** A file download with `Content-Disposition: attachment`, like LS's export views (§7.1). */
function download(project: ProjectRow, format: string, tasks: Record<string, unknown>[]): Response {
  if (!FORMATS.some((f) => f.name === format))
    throw new LsError(400, `Format ${format} is not supported by ls-sim`);
  const body = format === "JSON_MIN" ? toJsonMin(tasks) : tasks;
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return new Response(JSON.stringify(body), {
    headers: {
      "content-type": "application/json",
      "content-disposition": `attachment; filename="project-${project.id}-at-${stamp}.json"`,
    },
  });
}

function exportApi(ctx: SimContext, e: ExportRow): Record<string, unknown> {
  const user = ctx.state.users.find((u) => u.id === e.created_by);
  return {
    id: e.id,
    title: e.title,
    status: "completed",
    created_by: userBrief(user, e.created_by),
    created_at: e.created_at,
    finished_at: e.finished_at,
    md5: String(e.id).padStart(32, "0"),
    counters: e.counters,
    converted_formats: [],
  };
}

/** Which annotations a snapshot contains (`annotation_filter_options`, §7.2). */
function annotationFilter(opts: Record<string, unknown>): (a: AnnotationRow) => boolean {
  const usual = opts.usual !== false;
  return (a) =>
    (usual && !a.was_cancelled && !a.ground_truth) ||
    (opts.ground_truth === true && a.ground_truth) ||
    (opts.skipped === true && a.was_cancelled);
}

/** Which tasks a snapshot contains (`task_filter_options`, §7.2). */
function taskFilter(ctx: SimContext, opts: Record<string, unknown>): (t: TaskRow) => boolean {
  const mode = (flag: unknown, has: boolean) => (flag === "only" ? has : flag === "exclude" ? !has : true);
  return (t) => {
    const anns = ctx.state.annotations.filter((a) => a.task === t.id);
    const live = anns.filter((a) => !a.was_cancelled).length;
    if (opts.only_with_annotations === true && anns.length === 0) return false;
    return (
      mode(opts.annotated, live > 0) &&
      mode(
        opts.skipped,
        anns.some((a) => a.was_cancelled),
      ) &&
      mode(opts.finished, live > 0)
    );
  };
}

/** Expansion happens only when the option key is present with `only_id: false` (§7.2). */
function expanded(serialization: Record<string, unknown>, key: string): boolean {
  const opt = serialization[key];
  return isRecord(opt) && opt.only_id === false;
}

/** Simple export, formats and snapshot exports (§7). */
export function registerExportRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  // No trailing slash: `/export/` is a 404 (§0.1).
  app.get("/api/projects/:id/export", (c: Context<SimEnv>) => {
    const project = getProject(ctx, c.req.param("id"));
    const format = c.req.query("exportType") ?? c.req.query("export_type") ?? "JSON";
    const all = boolParam(c.req.query("download_all_tasks"), false);
    const ids = new Set(
      (c.req.queries("ids[]") ?? c.req.queries("ids") ?? []).flatMap((v) => v.split(",")).map(Number),
    );
    const opts: ExportOptions = {
      expandUsers: false,
      expandPredictions: false,
      includeAnnotation: () => true,
    };
    const tasks = ctx.state.tasks
      .filter((t) => t.project === project.id && (ids.size === 0 || ids.has(t.id)))
      .filter((t) => all || ctx.state.annotations.some((a) => a.task === t.id))
      .map((t) => exportTask(ctx.state, t, opts));
    return download(project, format, tasks);
  });

  app.get("/api/projects/:id/export/formats", (c) => {
    getProject(ctx, c.req.param("id"));
    return c.json(FORMATS.map((f) => ({ ...f, link: "", tags: [], disabled: false })));
  });

  app.post("/api/projects/:id/exports/", async (c) => {
    const project = getProject(ctx, c.req.param("id"));
    const body = await readObject(c);
    const taskOpts = isRecord(body.task_filter_options) ? body.task_filter_options : {};
    const annOpts = isRecord(body.annotation_filter_options) ? body.annotation_filter_options : {};
    const ser = isRecord(body.serialization_options) ? body.serialization_options : {};
    const opts: ExportOptions = {
      expandUsers: expanded(ser, "annotations__completed_by"),
      expandPredictions: expanded(ser, "predictions"),
      includeAnnotation: annotationFilter(annOpts),
    };
    const tasks = ctx.state.tasks
      .filter((t) => t.project === project.id)
      .filter(taskFilter(ctx, taskOpts))
      .map((t) => exportTask(ctx.state, t, opts));
    const stamp = now();
    const row: ExportRow = {
      id: nextId(ctx.state, "export"),
      project: project.id,
      title: typeof body.title === "string" ? body.title : `Export ${stamp}`,
      created_by: c.get("user").id,
      created_at: stamp,
      finished_at: stamp,
      tasks,
      counters: { task_number: tasks.length },
    };
    ctx.state.exports.push(row);
    ctx.save();
    return c.json(exportApi(ctx, row), 201);
  });

  app.get("/api/projects/:id/exports/", (c) => {
    const project = getProject(ctx, c.req.param("id"));
    return c.json(ctx.state.exports.filter((e) => e.project === project.id).map((e) => exportApi(ctx, e)));
  });

  const getExport = (c: Context<SimEnv>): { project: ProjectRow; row: ExportRow } => {
    const project = getProject(ctx, c.req.param("id"));
    const row = ctx.state.exports.find(
      (e) => e.project === project.id && e.id === parseId(c.req.param("pk")),
    );
    if (!row) throw notFound();
    return { project, row };
  };
  app.get("/api/projects/:id/exports/:pk", (c) => c.json(exportApi(ctx, getExport(c).row)));
  app.get("/api/projects/:id/exports/:pk/download", (c) => {
    const { project, row } = getExport(c);
    return download(project, c.req.query("exportType") ?? "JSON", row.tasks as Record<string, unknown>[]);
  });
  app.delete("/api/projects/:id/exports/:pk", (c) => {
    const { row } = getExport(c);
    ctx.state.exports = ctx.state.exports.filter((e) => e.id !== row.id);
    ctx.save();
    return noContent();
  });
}
