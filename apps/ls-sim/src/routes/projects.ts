import type { Context, Hono } from "hono";
import type { SimContext, SimEnv } from "../context.js";
import { LsError, notFound, validationError } from "../errors.js";
import { drfPage, noContent, pageParams, readObject, slicePage } from "../http.js";
import { cleanProjectInput, configErrors, projectConfigErrors } from "../project-input.js";
import { projectApi, projectHook } from "../serializers/project.js";
import { taskApi } from "../serializers/task.js";
import { nextId, type ProjectRow } from "../state.js";
import { boolParam, now, parseId, randomHex } from "../util.js";

/** Finds a project of the caller's organization or throws 404 (§3). */
export function getProject(ctx: SimContext, raw: string | undefined): ProjectRow {
  const id = parseId(raw);
  const project = ctx.state.projects.find(
    (p) => p.id === id && p.organization === ctx.state.organization?.id,
  );
  if (!project) throw notFound();
  return project;
}

/** Deletes tasks (and their annotations/predictions) of a project; returns the deleted task ids. */
export function deleteTasks(ctx: SimContext, projectId: number, only?: Set<number>): number[] {
  const doomed = ctx.state.tasks
    .filter((t) => t.project === projectId && (!only || only.has(t.id)))
    .map((t) => t.id);
  const set = new Set(doomed);
  ctx.state.tasks = ctx.state.tasks.filter((t) => !set.has(t.id));
  ctx.state.annotations = ctx.state.annotations.filter((a) => !set.has(a.task));
  ctx.state.predictions = ctx.state.predictions.filter((p) => !set.has(p.task));
  return doomed;
}

function listProjects(ctx: SimContext, c: Context) {
  const { page, size } = pageParams(c, 30);
  const ids = c.req.query("ids")?.split(",").map(Number);
  const title = c.req.query("title")?.toLowerCase();
  const ordering = c.req.query("ordering") ?? "-created_at";
  let rows = ctx.state.projects.filter((p) => p.organization === ctx.state.organization?.id);
  if (ids) rows = rows.filter((p) => ids.includes(p.id));
  if (title)
    rows = rows.filter((p) =>
      String(p.fields.title ?? "")
        .toLowerCase()
        .includes(title),
    );
  const desc = ordering.startsWith("-");
  const key = ordering.replace(/^-/, "");
  rows = [...rows].sort((a, b) => {
    const av = key === "id" ? a.id : key === "title" ? String(a.fields.title) : a.created_at;
    const bv = key === "id" ? b.id : key === "title" ? String(b.fields.title) : b.created_at;
    return (av < bv ? -1 : av > bv ? 1 : a.id - b.id) * (desc ? -1 : 1);
  });
  return drfPage(
    c,
    rows.map((p) => projectApi(ctx.state, p)),
    page,
    size,
  );
}

/** Projects CRUD, config validation, project task list (§3). */
export function registerProjectRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  app.get("/api/projects/", (c) => c.json(listProjects(ctx, c)));

  app.post("/api/projects/", async (c) => {
    const fields = cleanProjectInput(ctx.state, await readObject(c), null);
    const user = c.get("user");
    const org = ctx.state.organization;
    if (!org) throw new LsError(403, "You do not have permission to perform this action.");
    const stamp = now();
    const project: ProjectRow = {
      id: nextId(ctx.state, "project"),
      organization: org.id,
      created_by: user.id,
      created_at: stamp,
      updated_at: stamp,
      token: randomHex(16),
      fields,
    };
    ctx.state.projects.push(project);
    ctx.save();
    await ctx.webhooks.emit("PROJECT_CREATED", project.id, { project: projectHook(ctx.state, project) });
    return c.json(projectApi(ctx.state, project), 201);
  });

  app.get("/api/projects/:id/", (c) => c.json(projectApi(ctx.state, getProject(ctx, c.req.param("id")))));

  const update = async (c: Context<SimEnv>) => {
    const project = getProject(ctx, c.req.param("id"));
    const fields = cleanProjectInput(ctx.state, await readObject(c), project);
    project.fields = { ...project.fields, ...fields };
    project.updated_at = now();
    ctx.save();
    await ctx.webhooks.emit("PROJECT_UPDATED", project.id, { project: projectHook(ctx.state, project) });
    return c.json(projectApi(ctx.state, project));
  };
  app.patch("/api/projects/:id/", update);
  app.put("/api/projects/:id/", update);

  app.delete("/api/projects/:id/", async (c) => {
    const project = getProject(ctx, c.req.param("id"));
    deleteTasks(ctx, project.id);
    ctx.state.projects = ctx.state.projects.filter((p) => p.id !== project.id);
    ctx.state.storages = ctx.state.storages.filter((s) => s.project !== project.id);
    ctx.state.exports = ctx.state.exports.filter((e) => e.project !== project.id);
    // Project-level hooks are deleted with their project (FK cascade); organization hooks still fire.
    ctx.state.webhooks = ctx.state.webhooks.filter((h) => h.project !== project.id);
    ctx.save();
    await ctx.webhooks.emit("PROJECT_DELETED", project.id, { project: { id: project.id } });
    return noContent();
  });

  // 204 without body when valid (§3).
  app.post("/api/projects/validate/", async (c) => {
    const body = await readObject(c);
    const errors = configErrors(body.label_config);
    if (errors.length > 0) throw validationError({ label_config: errors });
    return noContent();
  });

  app.post("/api/projects/:id/validate/", async (c) => {
    const project = getProject(ctx, c.req.param("id"));
    const body = await readObject(c);
    const errors = projectConfigErrors(ctx.state, project, body.label_config);
    if (errors.length > 0) throw validationError({ label_config: errors });
    return c.json({ label_config: body.label_config });
  });

  // Plain array, not paginated envelope; `page_size=-1` returns everything (§10.1).
  app.get("/api/projects/:id/tasks/", (c) => {
    const project = getProject(ctx, c.req.param("id"));
    const { page, size } = pageParams(c, 100, true);
    const resolveUri = boolParam(c.req.query("resolve_uri"), true);
    const tasks = ctx.state.tasks.filter((t) => t.project === project.id);
    const view = slicePage(tasks, page, size).map((t) =>
      taskApi(ctx.state, t, { annotations: true, expandUsers: false, resolveUri }),
    );
    return c.json(view);
  });

  app.delete("/api/projects/:id/tasks/", async (c) => {
    const project = getProject(ctx, c.req.param("id"));
    const ids = deleteTasks(ctx, project.id);
    ctx.save();
    if (ids.length > 0) {
      await ctx.webhooks.emit("TASKS_DELETED", project.id, {
        tasks: ids.map((id) => ({ id })),
        project: projectHook(ctx.state, project),
      });
    }
    return noContent();
  });
}
