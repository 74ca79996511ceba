import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { api, choice, seedProject, startBootstrapped, startReceiver } from "./helpers.js";

describe("webhook endpoints (contract §6.1)", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startBootstrapped();
  });
  afterAll(() => sim.close());

  it("§6.1: create 201 with defaults, list as a plain array, get, delete 204", async () => {
    const { projectId } = await seedProject(sim, 1);
    const res = await api(sim, "POST", "/api/webhooks/", {
      project: projectId,
      url: "http://127.0.0.1:9/hook",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      project: projectId,
      send_payload: true,
      send_for_all_actions: true,
      headers: {},
      is_active: true,
      actions: [],
    });
    const list = await api(sim, "GET", `/api/webhooks/?project=${projectId}`);
    expect(list.body.map((h: { id: number }) => h.id)).toEqual([res.body.id]);
    expect((await api(sim, "GET", "/api/webhooks/?project=isnull")).body).toEqual([]);
    expect((await api(sim, "DELETE", `/api/webhooks/${res.body.id}/`)).status).toBe(204);
    expect((await api(sim, "GET", `/api/webhooks/${res.body.id}/`)).status).toBe(404);
  });

  it("§6.1: Django URL validation rejects single-label hosts; headers and actions are validated", async () => {
    const bare = await api(sim, "POST", "/api/webhooks/", { url: "http://labelfleet:3000/hook" });
    expect(bare.status).toBe(400);
    expect(bare.body.validation_errors.url).toEqual(["Enter a valid URL."]);
    for (const url of ["http://localhost:3000/h", "https://fleet.example.com/h", "http://10.0.0.1/h"]) {
      expect((await api(sim, "POST", "/api/webhooks/", { url })).status).toBe(201);
    }
    expect(
      (await api(sim, "POST", "/api/webhooks/", { url: "http://localhost/h", headers: { "bad key": "v" } }))
        .status,
    ).toBe(400);
    expect(
      (await api(sim, "POST", "/api/webhooks/", { url: "http://localhost/h", actions: ["TASK_CREATED"] }))
        .status,
    ).toBe(400);
    const { projectId } = await seedProject(sim, 1);
    const orgOnly = await api(sim, "POST", "/api/webhooks/", {
      project: projectId,
      url: "http://localhost/h",
      actions: ["PROJECT_CREATED"],
    });
    expect(orgOnly.status).toBe(400);
  });

  it("§6.1 trap: PATCH without `actions` empties the action set", async () => {
    const hook = await api(sim, "POST", "/api/webhooks/", {
      url: "http://localhost/h",
      send_for_all_actions: false,
      actions: ["ANNOTATION_CREATED", "ANNOTATION_UPDATED"],
    });
    const patched = await api(sim, "PATCH", `/api/webhooks/${hook.body.id}/`, {
      is_active: false,
      project: 12345,
    });
    expect(patched.body.actions).toEqual([]);
    expect(patched.body.project).toBeNull();
    const info = await api(sim, "GET", "/api/webhooks/info/?organization-only=true", undefined, null);
    expect(Object.keys(info.body).sort()).toEqual(["PROJECT_CREATED", "PROJECT_DELETED"]);
  });
});

describe("webhook delivery (contract §6.2, §6.3)", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startBootstrapped();
  });
  afterAll(() => sim.close());
  afterEach(async () => {
    sim.state.webhooks.length = 0;
    await api(sim, "DELETE", "/__sim/faults");
  });

  it("§6.2/§6.3: annotation lifecycle payloads with custom headers; deletes are plural lists of ids", async () => {
    const rx = await startReceiver();
    try {
      const { projectId, taskIds } = await seedProject(sim, 1);
      await api(sim, "POST", "/api/webhooks/", {
        project: projectId,
        url: rx.url,
        headers: { "X-Fleet-Secret": "s3cr3t" },
      });
      const ann = await api(sim, "POST", `/api/tasks/${taskIds[0]}/annotations/`, { result: choice("cat") });
      await api(sim, "PATCH", `/api/annotations/${ann.body.id}/`, { result: choice("dog") });
      await api(sim, "DELETE", `/api/annotations/${ann.body.id}/`);
      expect(rx.received.map((r) => r.body.action)).toEqual([
        "ANNOTATION_CREATED",
        "ANNOTATION_UPDATED",
        "ANNOTATIONS_DELETED",
      ]);
      const [created, , deleted] = rx.received;
      expect(created?.headers["x-fleet-secret"]).toBe("s3cr3t");
      expect(created?.headers["content-type"]).toBe("application/json");
      expect(created?.body.annotation).toMatchObject({
        id: ann.body.id,
        task: taskIds[0],
        completed_by: 1,
        result_count: 1,
      });
      expect(created?.body.task).toMatchObject({ id: taskIds[0], is_labeled: true, total_annotations: 1 });
      expect(created?.body.project).toMatchObject({
        id: projectId,
        task_number: 1,
        finished_task_number: 1,
        created_by: 1,
      });
      expect(created?.body.project).toHaveProperty("token");
      expect(deleted?.body).toMatchObject({ annotations: [{ id: ann.body.id }], project: { id: projectId } });
    } finally {
      await rx.close();
    }
  });

  it("§6.2: TASKS_CREATED on import, ANNOTATIONS_CREATED uses the singular `annotation` key with a list", async () => {
    const rx = await startReceiver();
    try {
      const { projectId, taskIds } = await seedProject(sim, 2);
      await api(sim, "POST", "/api/webhooks/", { project: projectId, url: rx.url });
      await api(sim, "POST", `/api/projects/${projectId}/import`, [{ image: "z.jpg" }]);
      await api(sim, "POST", "/api/annotations/bulk/", {
        project: projectId,
        tasks: taskIds,
        result: choice("cat"),
      });
      const [tasksCreated, bulk] = rx.received;
      expect(tasksCreated?.body.action).toBe("TASKS_CREATED");
      expect(tasksCreated?.body.tasks[0]).toMatchObject({ data: { image: "z.jpg" }, project: projectId });
      expect(bulk?.body.action).toBe("ANNOTATIONS_CREATED");
      expect(Array.isArray(bulk?.body.annotation)).toBe(true);
      expect(bulk?.body.annotation).toHaveLength(2);
      expect(bulk?.body.task).toHaveLength(2);
    } finally {
      await rx.close();
    }
  });

  it("§6.2: PROJECT_CREATED/DELETED reach only organization-level hooks; send_payload=false sends only the action", async () => {
    const rx = await startReceiver();
    try {
      await api(sim, "POST", "/api/webhooks/", { url: rx.url, send_payload: false });
      const p = await api(sim, "POST", "/api/projects/", { title: "Org hooks" });
      await api(sim, "DELETE", `/api/projects/${p.body.id}/`);
      expect(rx.received.map((r) => r.body)).toEqual([
        { action: "PROJECT_CREATED" },
        { action: "PROJECT_DELETED" },
      ]);
    } finally {
      await rx.close();
    }
  });

  it("§6.3: 1 s timeout and no retry; the user's request still succeeds", async () => {
    const slow = await startReceiver({ delayMs: 1500 });
    try {
      const { projectId, taskIds } = await seedProject(sim, 1);
      await api(sim, "POST", "/api/webhooks/", { project: projectId, url: slow.url });
      const started = Date.now();
      const res = await api(sim, "POST", `/api/tasks/${taskIds[0]}/annotations/`, { result: choice("cat") });
      const elapsed = Date.now() - started;
      expect(res.status).toBe(201);
      // Delivery is synchronous inside the request (§6.3), bounded by WEBHOOK_TIMEOUT.
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(1450);
      const log = (await api(sim, "GET", "/__sim/webhook-log?action=ANNOTATION_CREATED")).body;
      expect(log.at(-1)).toMatchObject({ status: null, delivery: "sent" });
      expect(log.at(-1).error).toMatch(/Timeout/);
      expect(slow.received).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it("faults: dropped, duplicated and id-less plural deletes (§6.3, §10.4), deterministic with a seed", async () => {
    const rx = await startReceiver();
    try {
      const { projectId, taskIds } = await seedProject(sim, 1);
      await api(sim, "POST", "/api/webhooks/", { project: projectId, url: rx.url });
      await api(sim, "POST", "/__sim/faults", { duplicateWebhookRate: 1, seed: 7 });
      const ann = await api(sim, "POST", `/api/tasks/${taskIds[0]}/annotations/`, { result: choice("cat") });
      expect(rx.received.map((r) => r.body.annotation.id)).toEqual([ann.body.id, ann.body.id]);
      await api(sim, "POST", "/__sim/faults", { duplicateWebhookRate: 0, omitDeletedIdsRate: 1 });
      await api(sim, "DELETE", `/api/annotations/${ann.body.id}/`);
      expect(rx.received.at(-1)?.body).toEqual({ action: "ANNOTATIONS_DELETED" });
      await api(sim, "POST", "/__sim/faults", { dropWebhookRate: 1 });
      const before = rx.received.length;
      await api(sim, "POST", `/api/tasks/${taskIds[0]}/annotations/`, { result: choice("dog") });
      expect(rx.received).toHaveLength(before);
      const log = (await api(sim, "GET", "/__sim/webhook-log")).body;
      expect(log.at(-1)).toMatchObject({ action: "ANNOTATION_CREATED", delivery: "dropped" });
    } finally {
      await rx.close();
    }
  });
});
