import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { api, choice, IMAGE_CONFIG, seedProject, startBootstrapped, TOKEN } from "./helpers.js";

describe("import and task lists (contract §4.1, §4.2, §8, §10.1)", () => {
  let sim: RunningSimulator;
  let projectId: number;
  beforeAll(async () => {
    sim = await startBootstrapped();
    projectId = (await api(sim, "POST", "/api/projects/", { title: "Import", label_config: IMAGE_CONFIG }))
      .body.id;
  });
  afterAll(() => sim.close());

  it("§4.1: answers 201 with the Community keys; task_ids only when asked; flat items become data", async () => {
    const plain = await api(sim, "POST", `/api/projects/${projectId}/import`, [{ image: "a.jpg" }]);
    expect(plain.status).toBe(201);
    expect(Object.keys(plain.body).sort()).toEqual([
      "annotation_count",
      "could_be_tasks_list",
      "data_columns",
      "duration",
      "file_upload_ids",
      "found_formats",
      "prediction_count",
      "task_count",
    ]);
    const withIds = await api(sim, "POST", `/api/projects/${projectId}/import?return_task_ids=true`, [
      { data: { image: "b.jpg" }, meta: { item: "i-2" } },
      { image: "c.jpg" },
    ]);
    expect(withIds.body.task_count).toBe(2);
    expect(withIds.body.task_ids).toHaveLength(2);
    const task = await api(sim, "GET", `/api/tasks/${withIds.body.task_ids[0]}/`);
    expect(task.body).toMatchObject({
      data: { image: "b.jpg" },
      meta: { item: "i-2" },
      project: projectId,
      inner_id: 2,
    });
  });

  it("§4.1: every $variable of the config must be present, else 400", async () => {
    const res = await api(sim, "POST", `/api/projects/${projectId}/import`, [{ picture: "x" }]);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.validation_errors)).toMatch(/"image\\" key is expected in task data/);
  });

  it("§4.1: embedded annotations default to ground_truth; predictions are counted and validated", async () => {
    const res = await api(sim, "POST", `/api/projects/${projectId}/import?return_task_ids=true`, [
      {
        data: { image: "gold.jpg" },
        annotations: [{ result: choice("cat") }, { result: choice("dog"), ground_truth: false }],
        predictions: [{ model_version: "v1", score: 0.4, result: choice("dog") }],
      },
    ]);
    expect(res.body).toMatchObject({ task_count: 1, annotation_count: 2, prediction_count: 1 });
    const anns = sim.state.annotations.filter((a) => a.task === res.body.task_ids[0]);
    expect(anns.map((a) => a.ground_truth)).toEqual([true, false]);
    const bad = await api(sim, "POST", `/api/projects/${projectId}/import`, [
      {
        data: { image: "x" },
        predictions: [{ result: [{ from_name: "nope", to_name: "image", type: "choices", value: {} }] }],
      },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.validation_errors.predictions).toBeDefined();
  });

  it("§4.1: multipart JSON files become file uploads", async () => {
    const form = new FormData();
    form.append("file", new Blob([JSON.stringify([{ image: "f1.jpg" }, { image: "f2.jpg" }])]), "batch.json");
    const res = await fetch(`${sim.url}/api/projects/${projectId}/import`, {
      method: "POST",
      headers: { Authorization: `Token ${TOKEN}` },
      body: form,
    });
    const body = (await res.json()) as { task_count: number; file_upload_ids: number[] };
    expect(res.status).toBe(201);
    expect(body.task_count).toBe(2);
    expect(body.file_upload_ids).toHaveLength(1);
  });

  it("§4.2/§10.1: /api/tasks/ is {tasks,total,…}, pages of 100 by default, 404 past the end", async () => {
    const { projectId: p, taskIds } = await seedProject(sim, 105);
    const page1 = await api(sim, "GET", `/api/tasks/?project=${p}`);
    expect(Object.keys(page1.body).sort()).toEqual([
      "tasks",
      "total",
      "total_annotations",
      "total_predictions",
    ]);
    expect(page1.body.tasks).toHaveLength(100);
    expect(page1.body.total).toBe(105);
    expect(page1.body.tasks[0]).not.toHaveProperty("annotations");
    const page2 = await api(sim, "GET", `/api/tasks/?project=${p}&page=2&fields=all`);
    expect(page2.body.tasks.map((t: { id: number }) => t.id)).toEqual(taskIds.slice(100));
    expect(page2.body.tasks[0].annotations).toEqual([]);
    const past = await api(sim, "GET", `/api/tasks/?project=${p}&page=3`);
    expect(past.status).toBe(404);
    expect(past.body.detail).toBe("Invalid page.");
  });

  it("§10.1: /api/projects/{id}/tasks/ is a plain array; page_size=-1 returns all", async () => {
    const { projectId: p } = await seedProject(sim, 4);
    const all = await api(sim, "GET", `/api/projects/${p}/tasks/?page_size=-1`);
    expect(Array.isArray(all.body)).toBe(true);
    expect(all.body).toHaveLength(4);
    expect((await api(sim, "GET", `/api/projects/${p}/tasks/?page_size=3&page=2`)).body).toHaveLength(1);
  });

  it("§4.2/§10.4: task detail expands completed_by into a user object; lists keep the id", async () => {
    const { projectId: p, taskIds } = await seedProject(sim, 1);
    await api(sim, "POST", `/api/tasks/${taskIds[0]}/annotations/`, { result: choice("cat") });
    const detail = await api(sim, "GET", `/api/tasks/${taskIds[0]}/`);
    expect(detail.body.annotations[0].completed_by).toMatchObject({ id: 1, email: "admin@example.com" });
    const list = await api(sim, "GET", `/api/tasks/?project=${p}&fields=all`);
    expect(list.body.tasks[0].annotations[0].completed_by).toBe(1);
  });

  it("§4.2/§8: s3:// URIs are rewritten to /tasks/{id}/resolve/ once a matching S3 storage exists", async () => {
    const project = (
      await api(sim, "POST", "/api/projects/", { title: "S3 project", label_config: IMAGE_CONFIG })
    ).body.id;
    const imp = await api(sim, "POST", `/api/projects/${project}/import?return_task_ids=true`, [
      { image: "s3://bucket/a.jpg" },
      { image: "s3://other/b.jpg" },
    ]);
    const [t1] = imp.body.task_ids;
    expect((await api(sim, "GET", `/api/tasks/${t1}/`)).body.data.image).toBe("s3://bucket/a.jpg");
    const storage = await api(sim, "POST", "/api/storages/s3/", { project, bucket: "bucket", presign: true });
    expect(storage.status).toBe(201);
    const fileuri = Buffer.from("s3://bucket/a.jpg").toString("base64");
    const tasks = (await api(sim, "GET", `/api/tasks/?project=${project}`)).body.tasks;
    expect(tasks[0].data.image).toBe(`/tasks/${t1}/resolve/?fileuri=${fileuri}`);
    expect(tasks[1].data.image).toBe("s3://other/b.jpg");
    const raw = await api(sim, "GET", `/api/tasks/?project=${project}&resolve_uri=false`);
    expect(raw.body.tasks[0].data.image).toBe("s3://bucket/a.jpg");
    const redirect = await api(sim, "GET", tasks[0].data.image);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toMatch(/bucket.*a\.jpg$/);
  });
});
