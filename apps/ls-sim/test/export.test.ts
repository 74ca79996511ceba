import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { api, choice, IMAGE_CONFIG, startBootstrapped } from "./helpers.js";

describe("export (contract §7)", () => {
  let sim: RunningSimulator;
  let projectId: number;
  let taskIds: number[];
  beforeAll(async () => {
    sim = await startBootstrapped();
    projectId = (await api(sim, "POST", "/api/projects/", { title: "Export", label_config: IMAGE_CONFIG }))
      .body.id;
    const imp = await api(sim, "POST", `/api/projects/${projectId}/import?return_task_ids=true`, [
      { data: { image: "1.jpg" }, predictions: [{ model_version: "m1", score: 0.9, result: choice("cat") }] },
      { image: "2.jpg" },
      { image: "3.jpg" },
    ]);
    taskIds = imp.body.task_ids;
    await api(sim, "POST", `/api/tasks/${taskIds[0]}/annotations/`, { result: choice("cat") });
    await api(sim, "POST", `/api/tasks/${taskIds[1]}/annotations/`, { result: [], was_cancelled: true });
  });
  afterAll(() => sim.close());

  it("§7.1/§7.3: simple JSON export is an attachment of annotated tasks (skips included) in export format", async () => {
    const res = await api(sim, "GET", `/api/projects/${projectId}/export?exportType=JSON`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename=/);
    expect(res.body.map((t: { id: number }) => t.id)).toEqual([taskIds[0], taskIds[1]]);
    const [first] = res.body;
    expect(first).not.toHaveProperty("is_labeled");
    expect(first).not.toHaveProperty("overlap");
    expect(first.predictions).toEqual([expect.any(Number)]);
    expect(first.annotations[0]).toMatchObject({ completed_by: 1, result: choice("cat"), task: taskIds[0] });
    expect(first).toMatchObject({
      inner_id: 1,
      project: projectId,
      total_annotations: 1,
      total_predictions: 1,
      drafts: [],
    });
  });

  it("§7.1: download_all_tasks and ids[] select tasks", async () => {
    const all = await api(sim, "GET", `/api/projects/${projectId}/export?download_all_tasks=true`);
    expect(all.body).toHaveLength(3);
    const one = await api(
      sim,
      "GET",
      `/api/projects/${projectId}/export?download_all_tasks=true&ids[]=${taskIds[2]}`,
    );
    expect(one.body.map((t: { id: number }) => t.id)).toEqual([taskIds[2]]);
    const min = await api(sim, "GET", `/api/projects/${projectId}/export?exportType=JSON_MIN`);
    expect(min.body[0]).toMatchObject({ id: taskIds[0], image: "1.jpg", label: ["cat"] });
  });

  it("§7.2: snapshots finish inline, expand only when serialization options ask for it", async () => {
    const created = await api(sim, "POST", `/api/projects/${projectId}/exports/`, {
      title: "snap",
      serialization_options: {
        annotations__completed_by: { only_id: false },
        predictions: { only_id: false },
      },
      task_filter_options: { only_with_annotations: true },
      annotation_filter_options: { usual: true, skipped: true },
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe("completed");
    const polled = await api(sim, "GET", `/api/projects/${projectId}/exports/${created.body.id}`);
    expect(polled.body.status).toBe("completed");
    const file = await api(
      sim,
      "GET",
      `/api/projects/${projectId}/exports/${created.body.id}/download?exportType=JSON`,
    );
    expect(file.body).toHaveLength(2);
    expect(file.body[0].annotations[0].completed_by).toMatchObject({ id: 1, email: "admin@example.com" });
    expect(file.body[0].predictions[0]).toMatchObject({ model_version: "m1", score: 0.9 });
    expect((await api(sim, "GET", `/api/projects/${projectId}/exports/`)).body).toHaveLength(1);
    expect((await api(sim, "DELETE", `/api/projects/${projectId}/exports/${created.body.id}`)).status).toBe(
      204,
    );
  });
});
