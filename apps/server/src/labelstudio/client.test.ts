import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLabelStudioClient, type LabelStudioClient } from "./client.js";
import { LabelStudioError } from "./errors.js";
import { type SimulatorProcess, spawnSimulator } from "./test-simulator.js";
import { parseWebhookPayload } from "./webhook-payload.js";

// Contract test: every client call runs against the LS simulator started through its CLI, the way a
// process backend starts Label Studio. Section numbers refer to reference/label-studio-contract.md.

const CONFIG =
  '<View><Image name="image" value="$image"/><Choices name="label" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices></View>';
const choice = (v: string) => [
  { id: "r1", from_name: "label", to_name: "image", type: "choices", value: { choices: [v] } },
];

let sim: SimulatorProcess;
let ls: LabelStudioClient;
const client = (o: Partial<Parameters<typeof createLabelStudioClient>[0]> = {}) =>
  createLabelStudioClient({ baseUrl: sim.url, token: sim.token, retryDelayMs: 10, ...o });

async function newProject(title = "Batch 0001", tasks = 3) {
  const project = await ls.createProject({ title, label_config: CONFIG });
  const data = Array.from({ length: tasks }, (_, i) => ({
    data: { image: `https://img.test/${i}.jpg` },
    meta: { item: `item-${i}` },
  }));
  const imported = await ls.importTasks(project.id, data);
  return { project, taskIds: imported.task_ids ?? [] };
}

beforeAll(async () => {
  sim = await spawnSimulator();
  ls = client();
});
afterAll(() => sim.stop());
afterEach(() => sim.resetFaults());

describe("instance basics (§1.4, §9)", () => {
  it("reads health, version and the current user", async () => {
    expect(await ls.health()).toMatchObject({ status: "UP" });
    expect((await ls.version()).release).toMatch(/^\d+\.\d+/);
    expect(await ls.currentUser()).toMatchObject({ email: "annotator@labelfleet.test" });
    expect(ls.authMode).toBe("legacy");
  });

  it("names the instance, the operation and the LS error body on failure (§10.2)", async () => {
    const err = await ls.getProject(424242).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabelStudioError);
    expect(err).toMatchObject({
      instance: sim.url,
      operation: "projects.get",
      status: 404,
      code: "http",
      detail: "Not found.",
    });
    expect(String((err as Error).message)).toContain(sim.url);
  });
});

describe("auth modes (§1.1, §1.2)", () => {
  it("uses a PAT through refresh + Bearer, and sees the 401 once legacy tokens are disabled", async () => {
    const pat = await ls.createPersonalAccessToken();
    const viaPat = client({ token: pat.token });
    expect(viaPat.authMode).toBe("pat");
    expect((await viaPat.currentUser()).email).toBe("annotator@labelfleet.test");
    expect(
      (await viaPat.updateJwtSettings({ legacy_api_tokens_enabled: false })).legacy_api_tokens_enabled,
    ).toBe(false);
    const err = await ls.currentUser().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401, operation: "users.whoami" });
    expect((err as LabelStudioError).detail).toMatch(/legacy token authentication has been disabled/);
    await viaPat.updateJwtSettings({ legacy_api_tokens_enabled: true });
    expect((await ls.currentUser()).id).toBeGreaterThan(0);
  });
});

describe("projects (§3)", () => {
  it("creates, reads, updates and deletes a project", async () => {
    const created = await ls.createProject({
      title: "CRUD project",
      label_config: CONFIG,
      maximum_annotations: 1,
    });
    expect(created).toMatchObject({ title: "CRUD project", task_number: 0 });
    expect((await ls.updateProject(created.id, { description: "d" })).description).toBe("d");
    expect((await ls.getProject(created.id)).description).toBe("d");
    const page = await ls.listProjects({ title: "CRUD" });
    expect(page.results.map((p) => p.id)).toContain(created.id);
    await ls.deleteProject(created.id);
    await expect(ls.getProject(created.id)).rejects.toMatchObject({ status: 404 });
  });

  it("validates label configs, globally and against a project's annotations", async () => {
    expect(await ls.validateLabelConfig(CONFIG)).toEqual({ valid: true });
    const bad = await ls.validateLabelConfig('<View><Choices name="c" toName="missing"/></View>');
    expect(bad.valid).toBe(false);
    const { project, taskIds } = await newProject("Validate project", 1);
    await ls.createAnnotation(taskIds[0] as number, { result: choice("dog") });
    const dropsDog = await ls.validateLabelConfig(CONFIG.replace('<Choice value="dog"/>', ""), {
      projectId: project.id,
    });
    expect(dropsDog).toMatchObject({ valid: false, errors: [expect.stringMatching(/dog/)] });
  });
});

describe("import, tasks and annotations (§4, §5, §10.1, §10.4)", () => {
  it("imports tasks with predictions and returns their ids", async () => {
    const project = await ls.createProject({ title: "Import project", label_config: CONFIG });
    const result = await ls.importTasks(project.id, [
      { data: { image: "a.jpg" }, predictions: [{ model_version: "m1", score: 0.7, result: choice("cat") }] },
      { data: { image: "b.jpg" } },
    ]);
    expect(result).toMatchObject({ task_count: 2, prediction_count: 1, annotation_count: 0 });
    expect(result.task_ids).toHaveLength(2);
    const task = await ls.getTask(result.task_ids?.[0] as number);
    expect(task.predictions?.[0]).toMatchObject({ model_version: "m1", score: 0.7 });
    const err = await ls.importTasks(project.id, [{ data: { photo: "x" } }]).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, operation: "projects.import" });
  });

  it("lists every task across pages and from the plain-array endpoint", async () => {
    const { project, taskIds } = await newProject("Paged project", 105);
    const all = await ls.listAllTasks(project.id, { pageSize: 50 });
    expect(all.map((t) => t.id)).toEqual(taskIds);
    expect(all[0]?.meta).toEqual({ item: "item-0" });
    expect((await ls.listTasks(project.id, { page: 9, pageSize: 50 })).tasks).toEqual([]);
    expect((await ls.listProjectTasks(project.id)).map((t) => t.id)).toEqual(taskIds);
  });

  it("annotates like an annotator; completed_by is normalised to an id everywhere", async () => {
    const { taskIds } = await newProject("Annotate project", 1);
    const taskId = taskIds[0] as number;
    const ann = await ls.createAnnotation(taskId, { result: choice("cat"), lead_time: 4.2 });
    expect(ann).toMatchObject({ task: taskId, completed_by: 1, was_cancelled: false });
    await ls.createAnnotation(taskId, { result: [], was_cancelled: true });
    expect((await ls.listAnnotations(taskId)).map((a) => a.id)).toEqual([ann.id]);
    const detail = await ls.getTask(taskId);
    expect(detail.annotations?.[0]).toMatchObject({
      completed_by: 1,
      completed_by_user: { email: "annotator@labelfleet.test" },
    });
    expect((await ls.updateAnnotation(ann.id, { result: choice("dog") })).result[0]?.value).toEqual({
      choices: ["dog"],
    });
    await ls.deleteAnnotation(ann.id);
    expect(await ls.listAnnotations(taskId)).toEqual([]);
  });

  it("exports annotated tasks by default, all tasks on request (§7.1)", async () => {
    const { project, taskIds } = await newProject("Export project", 3);
    await ls.createAnnotation(taskIds[1] as number, { result: choice("cat") });
    const exported = await ls.exportTasks(project.id);
    expect(exported.map((t) => t.id)).toEqual([taskIds[1]]);
    expect(exported[0]?.annotations[0]).toMatchObject({ completed_by: 1 });
    expect(await ls.exportTasks(project.id, { downloadAllTasks: true })).toHaveLength(3);
    expect(
      (await ls.exportTasks(project.id, { downloadAllTasks: true, taskIds: [taskIds[2] as number] })).map(
        (t) => t.id,
      ),
    ).toEqual([taskIds[2]]);
  });

  it("handles the Enterprise-style async import and the predictions_count spelling (§4.1, §10.4)", async () => {
    const project = await ls.createProject({ title: "Async import", label_config: CONFIG });
    await sim.setFaults({ quirks: { asyncImport: true, importCountKey: "predictions_count" } });
    const fast = client({ importPollIntervalMs: 10 });
    const result = await fast.importTasks(project.id, [
      { data: { image: "q.jpg" }, predictions: [{ result: choice("cat") }] },
    ]);
    expect(result).toMatchObject({ task_count: 1, prediction_count: 1 });
    expect(result.task_ids).toHaveLength(1);
  });
});

describe("webhooks (§6)", () => {
  it("keeps a webhook's actions on update (the omitted-actions trap) and deletes it", async () => {
    const { project } = await newProject("Hook CRUD", 1);
    const hook = await ls.createWebhook({
      project: project.id,
      url: "http://127.0.0.1:9/hook",
      send_for_all_actions: false,
      actions: ["ANNOTATION_CREATED"],
    });
    const updated = await ls.updateWebhook(hook.id, { is_active: false });
    expect(updated).toMatchObject({ is_active: false, actions: ["ANNOTATION_CREATED"] });
    expect((await ls.listWebhooks({ project: project.id })).map((h) => h.id)).toEqual([hook.id]);
    expect((await ls.getWebhook(hook.id)).url).toBe("http://127.0.0.1:9/hook");
    await ls.deleteWebhook(hook.id);
    expect(await ls.listWebhooks({ project: project.id })).toEqual([]);
  });

  it("delivers to a local HTTP server with the secret header; payloads parse, even degraded ones", async () => {
    const received: Array<{ secret: string | undefined; body: unknown }> = [];
    const server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c) => {
        raw += c;
      });
      req.on("end", () => {
        received.push({
          secret: req.headers["x-labelfleet-secret"] as string | undefined,
          body: JSON.parse(raw),
        });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { project, taskIds } = await newProject("Hook delivery", 1);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhook`;
      await ls.createWebhook({
        project: project.id,
        url,
        headers: { "X-LabelFleet-Secret": "s3cr3t" },
        send_for_all_actions: false,
        actions: ["ANNOTATION_CREATED", "ANNOTATIONS_DELETED"],
      });
      const ann = await ls.createAnnotation(taskIds[0] as number, { result: choice("cat") });
      expect(received).toHaveLength(1);
      expect(received[0]?.secret).toBe("s3cr3t");
      const created = parseWebhookPayload(received[0]?.body);
      expect(created).toMatchObject({ action: "ANNOTATION_CREATED", projectId: project.id });
      expect(created.annotations.map((a) => [a.id, a.completed_by])).toEqual([[ann.id, 1]]);
      expect(created.tasks.map((t) => t.id)).toEqual([taskIds[0]]);
      // §6.3: a plural delete may arrive without its object list.
      await sim.setFaults({ omitDeletedIdsRate: 1 });
      await ls.deleteAnnotation(ann.id);
      expect(parseWebhookPayload(received[1]?.body)).toMatchObject({
        action: "ANNOTATIONS_DELETED",
        deletedAnnotationIds: null,
      });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe("timeouts and retries", () => {
  it("times out a slow instance per attempt and retries idempotent reads", async () => {
    await sim.setFaults({ latencyMs: 600, match: { path: "/api/current-user" } });
    const started = Date.now();
    const err = await client({ timeoutMs: 150, retries: 1 })
      .currentUser()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "timeout", status: null, attempts: 2, operation: "users.whoami" });
    expect(Date.now() - started).toBeLessThan(550);
    // Both attempts reached the instance; the simulator logs them once its delayed answers are done.
    await new Promise((r) => setTimeout(r, 700));
    expect((await sim.requestLog()).filter((e) => e.path === "/api/current-user/whoami")).toHaveLength(2);
  });

  it("retries a failing GET until it succeeds", async () => {
    const { project } = await newProject("Retry GET", 1);
    await sim.resetFaults();
    await sim.setFaults({ failNext: 2, match: { method: "GET", path: `/api/projects/${project.id}/` } });
    expect((await ls.getProject(project.id)).id).toBe(project.id);
    const gets = (await sim.requestLog()).filter(
      (e) => e.method === "GET" && e.path === `/api/projects/${project.id}/`,
    );
    expect(gets.map((e) => e.status)).toEqual([500, 500, 200]);
  });

  it("never retries an import, even when LS processed it but the answer was an error", async () => {
    const project = await ls.createProject({ title: "No retry POST", label_config: CONFIG });
    await sim.setFaults({
      failNext: 1,
      errorPhase: "after",
      match: { method: "POST", path: `/api/projects/${project.id}/import` },
    });
    const err = await ls.importTasks(project.id, [{ data: { image: "once.jpg" } }]).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 500, attempts: 1, operation: "projects.import" });
    const posts = (await sim.requestLog()).filter((e) => e.method === "POST" && e.path.endsWith("/import"));
    expect(posts).toHaveLength(1);
    expect(await ls.listAllTasks(project.id)).toHaveLength(1);
  });

  it("treats a 404 on a retried DELETE as done", async () => {
    const project = await ls.createProject({ title: "Retry DELETE", label_config: CONFIG });
    await sim.setFaults({ failNext: 1, errorPhase: "after", match: { method: "DELETE" } });
    await ls.deleteProject(project.id);
    await expect(ls.getProject(project.id)).rejects.toMatchObject({ status: 404 });
  });

  it("reports a body that breaks the contract as invalid_response", async () => {
    const fake: typeof fetch = async () => new Response(JSON.stringify({ tasks: "nope" }), { status: 200 });
    const err = await createLabelStudioClient({ baseUrl: sim.url, token: "t0k3n-legacy", fetch: fake })
      .listTasks(1)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "invalid_response", operation: "tasks.list" });
  });
});
