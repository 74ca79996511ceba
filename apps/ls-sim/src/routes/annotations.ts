import type { Context, Hono } from "hono";
import type { SimContext, SimEnv } from "../context.js";
import { LsError, notFound, validationError } from "../errors.js";
import { noContent, readObject } from "../http.js";
import { checkResults } from "../label-config.js";
import { type AnnotationInput, createAnnotation, updateAnnotation } from "../records.js";
import { projectConfig, projectHook } from "../serializers/project.js";
import { annotationApi, annotationModel, taskModel } from "../serializers/task.js";
import type { AnnotationRow, ProjectRow, TaskRow } from "../state.js";
import { boolParam, isRecord, parseId } from "../util.js";
import { getProject } from "./projects.js";
import { getTask } from "./tasks.js";

/** Validates the writable annotation fields of §5 against the project config. */
function cleanInput(ctx: SimContext, project: ProjectRow, body: Record<string, unknown>): AnnotationInput {
  const errors: Record<string, string[]> = {};
  const out: AnnotationInput = {};
  if ("result" in body) {
    if (!Array.isArray(body.result)) errors.result = ["Expected a list of items."];
    else {
      const bad = checkResults(projectConfig(project), body.result);
      if (bad.length > 0) errors.result = bad;
      else out.result = body.result;
    }
  }
  for (const key of ["was_cancelled", "ground_truth", "bulk_created"] as const) {
    if (key in body && typeof body[key] !== "boolean") errors[key] = ["Must be a valid boolean."];
    else if (key in body) out[key] = body[key] as boolean;
  }
  if ("lead_time" in body) {
    if (body.lead_time !== null && typeof body.lead_time !== "number")
      errors.lead_time = ["A valid number is required."];
    else out.lead_time = body.lead_time as number | null;
  }
  if ("completed_by" in body) {
    if (!ctx.state.users.some((u) => u.id === body.completed_by)) {
      errors.completed_by = [`Invalid pk "${String(body.completed_by)}" - object does not exist.`];
    } else out.completed_by = body.completed_by as number;
  }
  for (const key of ["parent_prediction", "parent_annotation"] as const) {
    if (key in body) out[key] = typeof body[key] === "number" ? (body[key] as number) : null;
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
  return out;
}

function getAnnotation(ctx: SimContext, raw: string | undefined): AnnotationRow {
  const ann = ctx.state.annotations.find((a) => a.id === parseId(raw));
  if (!ann) throw notFound();
  return ann;
}

/** A skip is refused when the project hides the skip button, unless the task overrides it (§5). */
function assertSkippable(project: ProjectRow, task: TaskRow): void {
  const allowed = task.allow_skip ?? project.fields.show_skip_button !== false;
  if (!allowed) throw new LsError(400, "This task cannot be skipped.");
}

async function emitDeleted(ctx: SimContext, project: ProjectRow, ids: number[]): Promise<void> {
  await ctx.webhooks.emit("ANNOTATIONS_DELETED", project.id, {
    annotations: ids.map((id) => ({ id })),
    project: projectHook(ctx.state, project),
  });
}

/** Annotation endpoints of §5 with the webhooks of §6.2. */
export function registerAnnotationRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  // Skipped (was_cancelled) annotations are hidden from this list (§5).
  app.get("/api/tasks/:id/annotations/", (c) => {
    const task = getTask(ctx, c.req.param("id"));
    const rows = ctx.state.annotations
      .filter((a) => a.task === task.id && !a.was_cancelled)
      .sort((a, b) => a.id - b.id);
    return c.json(rows.map((a) => annotationApi(ctx.state, a)));
  });

  app.post("/api/tasks/:id/annotations/", async (c) => {
    const task = getTask(ctx, c.req.param("id"));
    const project = getProject(ctx, String(task.project));
    const input = cleanInput(ctx, project, await readObject(c));
    if (boolParam(c.req.query("was_cancelled"), false)) input.was_cancelled = true;
    if (input.was_cancelled) assertSkippable(project, task);
    const ann = createAnnotation(ctx.state, task, input, c.get("user").id);
    ctx.save();
    await ctx.webhooks.emit("ANNOTATION_CREATED", project.id, {
      annotation: annotationModel(ann),
      task: taskModel(ctx.state, task),
      project: projectHook(ctx.state, project),
    });
    return c.json(annotationApi(ctx.state, ann), 201);
  });

  app.get("/api/annotations/:id/", (c) =>
    c.json(annotationApi(ctx.state, getAnnotation(ctx, c.req.param("id")))),
  );

  const update = async (c: Context<SimEnv>) => {
    const ann = getAnnotation(ctx, c.req.param("id"));
    const project = getProject(ctx, String(ann.project));
    updateAnnotation(ctx.state, ann, cleanInput(ctx, project, await readObject(c)), c.get("user").id);
    ctx.save();
    const task = ctx.state.tasks.find((t) => t.id === ann.task);
    await ctx.webhooks.emit("ANNOTATION_UPDATED", project.id, {
      annotation: annotationModel(ann),
      task: task ? taskModel(ctx.state, task) : { id: ann.task },
      project: projectHook(ctx.state, project),
    });
    return c.json(annotationApi(ctx.state, ann));
  };
  app.patch("/api/annotations/:id/", update);
  app.put("/api/annotations/:id/", update);

  // Deleting one annotation emits the plural action with a list of one (§6.2).
  app.delete("/api/annotations/:id/", async (c) => {
    const ann = getAnnotation(ctx, c.req.param("id"));
    const project = getProject(ctx, String(ann.project));
    ctx.state.annotations = ctx.state.annotations.filter((a) => a.id !== ann.id);
    ctx.save();
    await emitDeleted(ctx, project, [ann.id]);
    return noContent();
  });

  // Bulk creation: ANNOTATIONS_CREATED uses the singular `annotation` key with a list value (§6.2).
  app.post("/api/annotations/bulk/", async (c) => {
    const body = await readObject(c);
    const project = getProject(ctx, String(body.project ?? ""));
    const selected = isRecord(body.selectedItems) ? body.selectedItems : null;
    const ids = Array.isArray(body.tasks)
      ? body.tasks
      : Array.isArray(selected?.included)
        ? selected.included
        : [];
    const tasks = ctx.state.tasks.filter(
      (t) => t.project === project.id && (selected?.all === true || ids.includes(t.id)),
    );
    const { tasks: _t, project: _p, selectedItems: _s, ...fields } = body;
    const input = { ...cleanInput(ctx, project, fields), bulk_created: true };
    const created = tasks.map((t) => createAnnotation(ctx.state, t, input, c.get("user").id));
    ctx.save();
    await ctx.webhooks.emit("ANNOTATIONS_CREATED", project.id, {
      annotation: created.map(annotationModel),
      task: tasks.map((t) => taskModel(ctx.state, t)),
      project: projectHook(ctx.state, project),
    });
    return c.json(
      created.map((a) => ({ id: a.id })),
      201,
    );
  });

  app.post("/api/annotations/bulk-delete/", async (c) => {
    const body = await readObject(c);
    const ids = Array.isArray(body.ids) ? body.ids.filter((v): v is number => typeof v === "number") : [];
    if (ids.length === 0 || ids.length > 100)
      throw validationError({ ids: ["Provide between 1 and 100 ids."] });
    const doomed = ctx.state.annotations.filter((a) => ids.includes(a.id));
    ctx.state.annotations = ctx.state.annotations.filter((a) => !ids.includes(a.id));
    ctx.save();
    for (const projectId of new Set(doomed.map((a) => a.project))) {
      const project = getProject(ctx, String(projectId));
      await emitDeleted(
        ctx,
        project,
        doomed.filter((a) => a.project === projectId).map((a) => a.id),
      );
    }
    return c.json({ deleted_count: doomed.length });
  });
}
