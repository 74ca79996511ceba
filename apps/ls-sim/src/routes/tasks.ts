import type { Context, Hono } from "hono";
import type { SimContext, SimEnv } from "../context.js";
import { notFound, validationError } from "../errors.js";
import { noContent, pageParams, readObject, slicePage } from "../http.js";
import { parseImportItems } from "../import-items.js";
import { checkResults } from "../label-config.js";
import { createPrediction, createTask } from "../records.js";
import { projectConfig, projectHook } from "../serializers/project.js";
import { predictionApi, taskApi, taskModel } from "../serializers/task.js";
import type { TaskRow } from "../state.js";
import { boolParam, isRecord, now, parseId } from "../util.js";
import { deleteTasks, getProject } from "./projects.js";

/** Finds a task of the caller's organization or throws 404. */
export function getTask(ctx: SimContext, raw: string | undefined): TaskRow {
  const id = parseId(raw);
  const task = ctx.state.tasks.find((t) => t.id === id);
  if (!task || !ctx.state.projects.some((p) => p.id === task.project)) throw notFound();
  return task;
}

/** `GET /api/tasks/`: the Data Manager list shape `{tasks, total, total_annotations, total_predictions}` (§4.2). */
function listTasks(ctx: SimContext, c: Context<SimEnv>) {
  const projectId = c.req.query("project");
  let tasks = ctx.state.tasks;
  if (projectId !== undefined) {
    const project = getProject(ctx, projectId);
    tasks = tasks.filter((t) => t.project === project.id);
  }
  if (boolParam(c.req.query("only_annotated"), false)) {
    tasks = tasks.filter((t) => ctx.state.annotations.some((a) => a.task === t.id));
  }
  const { page, size } = pageParams(c, 100);
  const fieldsAll = c.req.query("fields") === "all";
  const resolveUri = boolParam(c.req.query("resolve_uri"), true);
  const ids = new Set(tasks.map((t) => t.id));
  return {
    tasks: slicePage(tasks, page, size).map((t) =>
      taskApi(ctx.state, t, { annotations: fieldsAll, expandUsers: false, resolveUri }),
    ),
    total: tasks.length,
    total_annotations: ctx.state.annotations.filter((a) => ids.has(a.task) && !a.was_cancelled).length,
    total_predictions: ctx.state.predictions.filter((p) => ids.has(p.task)).length,
  };
}

/** Task list/detail/create/update/delete and predictions (§4.1, §4.2). */
export function registerTaskRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  app.get("/api/tasks/", (c) => c.json(listTasks(ctx, c)));

  app.post("/api/tasks/", async (c) => {
    const body = await readObject(c);
    if (body.project === undefined) throw validationError({ project: ["This field is required."] });
    const project = getProject(ctx, String(body.project));
    if (!isRecord(body.data)) throw validationError({ data: ["This field is required."] });
    const [item] = parseImportItems(ctx.state, projectConfig(project), { data: body.data, meta: body.meta });
    if (!item) throw validationError({ data: ["This field is required."] });
    const task = createTask(ctx.state, project, { data: item.data, meta: item.meta });
    ctx.save();
    await ctx.webhooks.emit("TASKS_CREATED", project.id, {
      tasks: [taskModel(ctx.state, task)],
      project: projectHook(ctx.state, project),
    });
    return c.json(taskApi(ctx.state, task, { annotations: true, expandUsers: true, resolveUri: true }), 201);
  });

  // Task detail expands `completed_by` into a user object (§4.2, §10.4).
  app.get("/api/tasks/:id/", (c) => {
    const task = getTask(ctx, c.req.param("id"));
    const resolveUri = boolParam(c.req.query("resolve_uri"), true);
    return c.json(taskApi(ctx.state, task, { annotations: true, expandUsers: true, resolveUri }));
  });

  const update = async (c: Context<SimEnv>) => {
    const task = getTask(ctx, c.req.param("id"));
    const body = await readObject(c);
    if ("data" in body && !isRecord(body.data))
      throw validationError({ data: ["Expected a dictionary of items."] });
    if ("meta" in body && !isRecord(body.meta))
      throw validationError({ meta: ["Expected a dictionary of items."] });
    if (isRecord(body.data)) task.data = body.data;
    if (isRecord(body.meta)) task.meta = body.meta;
    if ("allow_skip" in body) task.allow_skip = typeof body.allow_skip === "boolean" ? body.allow_skip : null;
    task.updated_at = now();
    task.updated_by = c.get("user").id;
    ctx.save();
    return c.json(taskApi(ctx.state, task, { annotations: true, expandUsers: true, resolveUri: true }));
  };
  app.patch("/api/tasks/:id/", update);
  app.put("/api/tasks/:id/", update);

  app.delete("/api/tasks/:id/", async (c) => {
    const task = getTask(ctx, c.req.param("id"));
    const project = getProject(ctx, String(task.project));
    deleteTasks(ctx, task.project, new Set([task.id]));
    ctx.save();
    await ctx.webhooks.emit("TASKS_DELETED", project.id, {
      tasks: [{ id: task.id }],
      project: projectHook(ctx.state, project),
    });
    return noContent();
  });

  app.get("/api/predictions/", (c) => {
    const task = parseId(c.req.query("task"));
    const project = parseId(c.req.query("project"));
    const rows = ctx.state.predictions.filter(
      (p) => (!task || p.task === task) && (!project || p.project === project),
    );
    return c.json(rows.map(predictionApi));
  });

  app.post("/api/predictions/", async (c) => {
    const body = await readObject(c);
    const task = getTask(ctx, String(body.task ?? ""));
    const project = getProject(ctx, String(task.project));
    const errors = checkResults(projectConfig(project), Array.isArray(body.result) ? body.result : []);
    if (errors.length > 0) throw validationError({ result: errors });
    const pred = createPrediction(ctx.state, task, body, project);
    ctx.save();
    return c.json(predictionApi(pred), 201);
  });

  app.get("/api/predictions/:id/", (c) => {
    const pred = ctx.state.predictions.find((p) => p.id === parseId(c.req.param("id")));
    if (!pred) throw notFound();
    return c.json(predictionApi(pred));
  });

  app.delete("/api/predictions/:id/", (c) => {
    const id = parseId(c.req.param("id"));
    if (!ctx.state.predictions.some((p) => p.id === id)) throw notFound();
    ctx.state.predictions = ctx.state.predictions.filter((p) => p.id !== id);
    ctx.save();
    return noContent();
  });
}
