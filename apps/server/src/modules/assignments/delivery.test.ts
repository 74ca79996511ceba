import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { assignmentTasks } from "../../db/schema/index.js";
import { createLabelStudioClient, type LabelStudioClient } from "../../labelstudio/client.js";
import { type SimulatorProcess, spawnSimulator } from "../../labelstudio/test-simulator.js";
import { assignmentFixtures } from "./test-fixtures.js";

let t: TestApp;
let sim: SimulatorProcess;
let ls: LabelStudioClient;
let f: ReturnType<typeof assignmentFixtures>;
let orgId: number;
beforeAll(async () => {
  [t, sim] = await Promise.all([
    createTestApp({ ASSIGNMENT_DELIVERY_ATTEMPTS: "2", ASSIGNMENT_DELIVERY_BACKOFF_MS: "0" }),
    spawnSimulator(),
  ]);
  ls = createLabelStudioClient({ baseUrl: sim.url, token: sim.token });
  f = assignmentFixtures(t.services);
  orgId = await f.organizationId();
}, 60_000);
afterAll(async () => {
  await Promise.all([t?.close(), sim?.stop()]);
});

async function assignBatch(
  options: { gold?: number; count?: number; instance?: { url: string; token: string } } = {},
) {
  const role = await f.role(orgId);
  const config = await f.labelingConfig(orgId);
  for (let g = 0; g < (options.gold ?? 0); g++) await f.goldTask(orgId, config.id);
  const workflow = await f.workflow(orgId, {
    roleId: role.id,
    labelingConfigId: config.id,
    imagesPerProject: 4,
    goldStandardRate: options.gold ? 0.5 : 0,
  });
  await f.items(orgId, workflow.id, options.count ?? 4);
  const annotator = await f.annotator(orgId, { roleId: role.id, instance: options.instance ?? sim });
  const assignment = (await t.services.assignments.assign(orgId, workflow.id, annotator.id))!;
  return { workflow, annotator, assignment, config };
}

describe("delivery", () => {
  it("creates the LS project with the webhook and imports the tasks with signed URLs, never gold answers", async () => {
    const { assignment, annotator, config } = await assignBatch({ gold: 2 });
    expect(assignment.goldTaskCount).toBe(2);
    await t.services.jobs.worker.drain();

    const delivered = await f.assignment(assignment.id);
    expect(delivered).toMatchObject({ status: "in_progress", deliveryAttempts: 1 });
    expect(delivered.lsProjectId).toEqual(expect.any(Number));
    expect(delivered.startedAt).not.toBeNull();
    expect((await f.history("assignment", assignment.id)).map((h) => h.transitionName)).toEqual([
      "create",
      "deliver",
    ]);

    const project = await ls.getProject(delivered.lsProjectId!);
    expect(project.title).toMatch(new RegExp(`^LF-${assignment.id} `));
    expect(project.label_config).toBe(config.configXml);

    const hooks = await ls.listWebhooks({ project: delivered.lsProjectId! });
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({
      url: "http://localhost:3000/api/webhook",
      send_for_all_actions: false,
      headers: { "X-Annotator-Id": String(annotator.id), "X-Webhook-Secret": expect.any(String) },
    });
    expect(hooks[0]!.headers!["X-Webhook-Secret"]).toBe(t.services.secrets.open(annotator.webhookSecretEnc!));
    expect([...hooks[0]!.actions!].sort()).toEqual([
      "ANNOTATIONS_CREATED",
      "ANNOTATIONS_DELETED",
      "ANNOTATION_CREATED",
      "ANNOTATION_UPDATED",
    ]);

    const tasks = await f.tasksOf(assignment.id);
    const lsTasks = await ls.listProjectTasks(delivered.lsProjectId!);
    expect(lsTasks).toHaveLength(6);
    const byId = new Map(lsTasks.map((task) => [task.id, task]));
    const itemRows = new Map((await f.itemRows(delivered.workflowId)).map((i) => [i.id, i]));
    for (const task of tasks) {
      const lsTask = byId.get(task.lsTaskId!)!;
      expect(lsTask.data.labelfleet_item_id).toBe(task.itemId);
      const image = String(lsTask.data.image);
      expect(image).toContain(encodeURI(itemRows.get(task.itemId)!.storageKey));
      expect(image).toMatch(/^http:\/\/localhost:3000\/api\/storage\/files\//);
      // The gold answers stay in LabelFleet.
      expect(lsTask.annotations ?? []).toEqual([]);
      expect(lsTask.predictions ?? []).toEqual([]);
      expect(JSON.stringify(lsTask.data)).not.toContain("expected");
    }
  }, 30_000);

  it("survives a lost answer of project creation without creating a second project", async () => {
    const before = (await ls.listProjects({ pageSize: 100 })).count;
    await sim.setFaults({
      failNext: 1,
      errorPhase: "after",
      match: { method: "POST", path: "/api/projects/" },
    });
    const { assignment } = await assignBatch();
    try {
      await t.services.jobs.worker.drain();
    } finally {
      await sim.resetFaults();
    }
    const delivered = await f.assignment(assignment.id);
    expect(delivered).toMatchObject({ status: "in_progress", deliveryAttempts: 2 });
    expect((await ls.listProjects({ pageSize: 100 })).count).toBe(before + 1);
    expect(await ls.listProjectTasks(delivered.lsProjectId!)).toHaveLength(4);
  }, 30_000);

  it("survives a lost answer of the import without importing twice", async () => {
    const { assignment } = await assignBatch();
    const projectsBefore = (await ls.listProjects({ pageSize: 100 })).results.map((p) => p.id);
    const nextProject = Math.max(0, ...projectsBefore) + 1;
    await sim.setFaults({
      failNext: 1,
      errorPhase: "after",
      match: { method: "POST", path: `/api/projects/${nextProject}/import` },
    });
    try {
      await t.services.jobs.worker.drain();
    } finally {
      await sim.resetFaults();
    }
    const delivered = await f.assignment(assignment.id);
    expect(delivered.lsProjectId).toBe(nextProject);
    expect(delivered).toMatchObject({ status: "in_progress", deliveryAttempts: 2 });
    const lsTasks = await ls.listProjectTasks(nextProject);
    expect(lsTasks).toHaveLength(4);
    const tasks = await f.tasksOf(assignment.id);
    expect(new Set(tasks.map((x) => x.lsTaskId))).toEqual(new Set(lsTasks.map((x) => x.id)));
  }, 30_000);

  it("marks the assignment failed with the reason after the last attempt and returns its items", async () => {
    const { assignment, workflow } = await assignBatch({
      instance: { url: "http://127.0.0.1:1", token: "x".repeat(40) },
    });
    await t.services.jobs.worker.drain();
    const failed = await f.assignment(assignment.id);
    expect(failed.status).toBe("failed");
    expect(failed.deliveryAttempts).toBe(2);
    expect(failed.failureReason).toMatch(/^Delivery failed after 2 attempts: /);
    const history = await f.history("assignment", assignment.id);
    expect(history.map((h) => h.transitionName)).toEqual(["create", "fail"]);
    expect(history[1]!.reason).toBe(failed.failureReason);
    const rows = await f.itemRows(workflow.id);
    expect(rows.every((i) => i.assignedCount === 0 && i.state === "CREATED")).toBe(true);
    expect((await f.tasksOf(assignment.id)).every((x) => x.releasedAt !== null)).toBe(true);
    // Back in the pool: another annotator of the role gets them.
    const other = await f.annotator(orgId, { roleId: workflow.roleId });
    expect((await t.services.assignments.assign(orgId, workflow.id, other.id))!.taskCount).toBe(4);
  }, 30_000);

  it("removes the remaining LS tasks of a cancelled assignment and keeps the annotated ones", async () => {
    const { assignment } = await assignBatch();
    await t.services.jobs.worker.drain();
    const tasks = await f.tasksOf(assignment.id);
    await t.db.update(assignmentTasks).set({ isDone: true }).where(eq(assignmentTasks.id, tasks[0]!.id));
    await t.services.assignments.cancel(orgId, assignment.id, null);
    await t.services.jobs.worker.drain();
    const { lsProjectId } = await f.assignment(assignment.id);
    const remaining = await ls.listProjectTasks(lsProjectId!);
    expect(remaining.map((x) => x.id)).toEqual([tasks[0]!.lsTaskId]);
  }, 30_000);
});
