import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { api, choice, IMAGE_CONFIG, seedProject, startBootstrapped } from "./helpers.js";

describe("projects (contract §3, §10.1)", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startBootstrapped();
  });
  afterAll(() => sim.close());

  it("§3: create answers 201 with defaults, created_by object, parsed config and counters", async () => {
    const res = await api(sim, "POST", "/api/projects/", { title: "Cats", label_config: IMAGE_CONFIG });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: "Cats",
      maximum_annotations: 1,
      show_skip_button: true,
      sampling: "Sequential sampling",
      task_number: 0,
      finished_task_number: 0,
      config_has_control_tags: true,
      created_by: { email: "admin@example.com" },
    });
    expect(res.body.parsed_label_config.label).toMatchObject({
      type: "Choices",
      to_name: ["image"],
      labels: ["cat", "dog"],
    });
  });

  it("§3: invalid configs are refused with validation_errors.label_config", async () => {
    const bad = await api(sim, "POST", "/api/projects/", {
      title: "Bad",
      label_config: '<View><Choices name="c" toName="nope"/></View>',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.validation_errors.label_config[0]).toMatch(/toName="nope"/);
    const malformed = await api(sim, "POST", "/api/projects/validate/", {
      label_config: "<View><Image></View>",
    });
    expect(malformed.status).toBe(400);
    const ok = await api(sim, "POST", "/api/projects/validate/", { label_config: IMAGE_CONFIG });
    expect(ok.status).toBe(204);
    expect(ok.text).toBe("");
  });

  it("§3: PATCH cannot drop a label still used by annotations; per-project validate answers 200", async () => {
    const { projectId, taskIds } = await seedProject(sim, 1);
    await api(sim, "POST", `/api/tasks/${taskIds[0]}/annotations/`, { result: choice("dog") });
    const withoutDog = IMAGE_CONFIG.replace('<Choice value="dog"/>', "");
    const refused = await api(sim, "PATCH", `/api/projects/${projectId}/`, { label_config: withoutDog });
    expect(refused.status).toBe(400);
    expect(refused.body.validation_errors.label_config[0]).toMatch(/dog/);
    expect(
      (await api(sim, "POST", `/api/projects/${projectId}/validate/`, { label_config: withoutDog })).status,
    ).toBe(400);
    const fine = await api(sim, "POST", `/api/projects/${projectId}/validate/`, {
      label_config: IMAGE_CONFIG,
    });
    expect(fine.status).toBe(200);
    expect(fine.body).toEqual({ label_config: IMAGE_CONFIG });
    const patched = await api(sim, "PATCH", `/api/projects/${projectId}/`, {
      maximum_annotations: 2,
      title: "Renamed",
    });
    expect(patched.body).toMatchObject({
      maximum_annotations: 2,
      title: "Renamed",
      task_number: 1,
      total_annotations_number: 1,
    });
  });

  it("§10.1: the project list is a DRF page of 30 with absolute next links and 404 past the end", async () => {
    for (let i = 0; i < 31; i++) await api(sim, "POST", "/api/projects/", { title: `Bulk ${i}` });
    const first = await api(sim, "GET", "/api/projects/");
    expect(first.body.results).toHaveLength(30);
    expect(first.body.count).toBeGreaterThan(30);
    expect(first.body.previous).toBeNull();
    expect(first.body.next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/projects\/\?page=2/);
    const last = Math.ceil(first.body.count / 30);
    expect((await api(sim, "GET", `/api/projects/?page=${last}`)).status).toBe(200);
    const past = await api(sim, "GET", `/api/projects/?page=${last + 1}`);
    expect(past.status).toBe(404);
    expect(past.body.detail).toBe("Invalid page.");
    const filtered = await api(sim, "GET", "/api/projects/?title=bulk 3&page_size=100");
    expect(filtered.body.results.map((p: { title: string }) => p.title).sort()).toEqual([
      "Bulk 3",
      "Bulk 30",
    ]);
  });

  it("§3: DELETE answers 204 and the project is gone", async () => {
    const { projectId } = await seedProject(sim, 1);
    expect((await api(sim, "DELETE", `/api/projects/${projectId}/`)).status).toBe(204);
    expect((await api(sim, "GET", `/api/projects/${projectId}/`)).status).toBe(404);
    expect(sim.state.tasks.some((t) => t.project === projectId)).toBe(false);
  });
});
