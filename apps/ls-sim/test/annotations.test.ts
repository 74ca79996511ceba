import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { api, choice, seedProject, startBootstrapped } from "./helpers.js";

describe("annotations (contract §5)", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startBootstrapped();
  });
  afterAll(() => sim.close());

  it("§5: create answers 201; the task becomes labeled; counters follow", async () => {
    const { projectId, taskIds } = await seedProject(sim, 2);
    const res = await api(sim, "POST", `/api/tasks/${taskIds[0]}/annotations/`, {
      result: choice("cat"),
      lead_time: 3.5,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      task: taskIds[0],
      project: projectId,
      completed_by: 1,
      was_cancelled: false,
      ground_truth: false,
      lead_time: 3.5,
    });
    const task = await api(sim, "GET", `/api/tasks/${taskIds[0]}/`);
    expect(task.body).toMatchObject({ is_labeled: true, total_annotations: 1, cancelled_annotations: 0 });
    const project = await api(sim, "GET", `/api/projects/${projectId}/`);
    expect(project.body).toMatchObject({
      finished_task_number: 1,
      num_tasks_with_annotations: 1,
      useful_annotation_number: 1,
    });
  });

  it("§5: skipped annotations are hidden from the task's annotation list and do not label the task", async () => {
    const { taskIds } = await seedProject(sim, 1);
    const t = taskIds[0];
    await api(sim, "POST", `/api/tasks/${t}/annotations/`, { result: choice("dog") });
    const skip = await api(sim, "POST", `/api/tasks/${t}/annotations/?was_cancelled=1`, { result: [] });
    expect(skip.status).toBe(201);
    expect(skip.body.was_cancelled).toBe(true);
    const list = await api(sim, "GET", `/api/tasks/${t}/annotations/`);
    expect(list.body).toHaveLength(1);
    expect(list.body[0].was_cancelled).toBe(false);
    expect((await api(sim, "GET", `/api/tasks/${t}/`)).body).toMatchObject({
      total_annotations: 1,
      cancelled_annotations: 1,
    });
  });

  it("§5: skipping is refused when the project hides the skip button", async () => {
    const { taskIds } = await seedProject(sim, 1, { show_skip_button: false });
    const res = await api(sim, "POST", `/api/tasks/${taskIds[0]}/annotations/`, {
      result: [],
      was_cancelled: true,
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe("This task cannot be skipped.");
  });

  it("§5: ground_truth: true clears the flag on the task's other annotations", async () => {
    const { taskIds } = await seedProject(sim, 1);
    const a = await api(sim, "POST", `/api/tasks/${taskIds[0]}/annotations/`, {
      result: choice("cat"),
      ground_truth: true,
    });
    const b = await api(sim, "POST", `/api/tasks/${taskIds[0]}/annotations/`, {
      result: choice("dog"),
      ground_truth: true,
    });
    expect((await api(sim, "GET", `/api/annotations/${a.body.id}/`)).body.ground_truth).toBe(false);
    expect((await api(sim, "GET", `/api/annotations/${b.body.id}/`)).body.ground_truth).toBe(true);
  });

  it("§5: PATCH answers 200 and bumps updated_at; DELETE answers 204", async () => {
    const { taskIds } = await seedProject(sim, 1);
    const created = await api(sim, "POST", `/api/tasks/${taskIds[0]}/annotations/`, {
      result: choice("cat"),
    });
    const patched = await api(sim, "PATCH", `/api/annotations/${created.body.id}/`, {
      result: choice("dog"),
    });
    expect(patched.status).toBe(200);
    expect(patched.body.result[0].value.choices).toEqual(["dog"]);
    expect(patched.body.updated_at > created.body.updated_at).toBe(true);
    expect((await api(sim, "DELETE", `/api/annotations/${created.body.id}/`)).status).toBe(204);
    expect((await api(sim, "GET", `/api/annotations/${created.body.id}/`)).status).toBe(404);
  });

  it("§5: results that do not match the config are refused", async () => {
    const { taskIds } = await seedProject(sim, 1);
    const res = await api(sim, "POST", `/api/tasks/${taskIds[0]}/annotations/`, {
      result: [{ from_name: "label", to_name: "image", type: "rectanglelabels", value: {} }],
    });
    expect(res.status).toBe(400);
    expect(res.body.validation_errors.result).toBeDefined();
  });
});
