import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { fsmStateHistory, items, organizations } from "../../db/schema/index.js";
import type { LabelingConfigChange } from "../../modules/workflows/workflows.service.js";

let t: TestApp;
let cookie: string;
let org: number;
const configChanges: LabelingConfigChange[] = [];

const CONFIG_XML =
  '<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="car"/><Label value="person"/></RectangleLabels></View>';
const base = { s3SourcePath: "images/cars/", s3ExportPath: "exports/cars/" };

const post = (url: string, body: unknown) => t.request("POST", url, { cookie, body });
const put = (url: string, body: unknown) => t.request("PUT", url, { cookie, body });
const get = (url: string) => t.request("GET", url, { cookie });
async function workflow(body: Record<string, unknown> = {}) {
  const response = await post("/api/workflows", { name: "w", ...base, ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: number } & Record<string, unknown>;
}

beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
  t.services.workflows.onLabelingConfigChanged((change) => {
    configChanges.push(change);
  });
  const [row] = await t.db.select().from(organizations).where(eq(organizations.slug, "default"));
  org = row!.id;
  // A local folder of images under STORAGE_DIR (the embedded default: <data folder>/storage).
  for (let i = 0; i < 12; i++) await t.services.storage.put(`images/cars/car-${i}.jpg`, `jpeg ${i}`);
});
afterAll(() => t.close());

describe("the spec's example pipeline, steps 1-3, verbatim", () => {
  it("creates the role, the config and the workflow, whose folder becomes items", async () => {
    const role = await post("/api/roles", {
      name: "labeler",
      description: "Image labelers",
      color: "#3B82F6",
    });
    expect(role.status).toBe(201);
    const config = await post("/api/labeling-configs", { name: "Object Detection", configXml: CONFIG_XML });
    expect(config.status).toBe(201);
    expect([role.body.id, config.body.id]).toEqual([1, 1]);
    const created = await post("/api/workflows", {
      name: "Car Detection",
      roleId: 1,
      labelingConfigId: 1,
      s3SourcePath: "images/cars/",
      s3ExportPath: "exports/cars/",
      imagesPerProject: 50,
      goldStandardRate: 0.1,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 1,
      name: "Car Detection",
      roleId: 1,
      labelingConfigId: 1,
      previousWorkflowId: null,
      imagesPerProject: 50,
      maxProjects: null,
      estimatedTimeMinutes: null,
      autoAssign: true,
      goldStandardRate: 0.1,
      shuffleImages: true,
      isActive: true,
      annotationsPerItem: 1,
      rejectionMode: "none",
      rejectionArchiveBucket: null,
      rejectionRouteWorkflowId: null,
      rejectionReturnToOriginal: false,
      rejectionFlagAnnotator: true,
      maxReworkIterations: null,
      state: "CREATED",
      role: { id: 1, name: "labeler", color: "#3B82F6" },
      labelingConfig: { id: 1, name: "Object Detection" },
      totalImagesAvailable: 0,
      totalImagesAssigned: 0,
    });
    expect(typeof created.body.createdAt).toBe("string");
    expect(configChanges).toContainEqual({
      organizationId: org,
      workflowId: 1,
      labelingConfigId: 1,
      previousLabelingConfigId: null,
    });

    await t.services.jobs.worker.drain();
    const after = await get("/api/workflows/1");
    expect(after.body).toMatchObject({ totalImagesAvailable: 12, totalImagesAssigned: 0 });
    const sync = await get("/api/workflows/1/sync");
    expect(sync.body).toMatchObject({ status: "done", listed: 12, inserted: 12, done: true });
    const history = await t.db
      .select()
      .from(fsmStateHistory)
      .where(and(eq(fsmStateHistory.entityName, "workflow"), eq(fsmStateHistory.entityId, "1")));
    expect(history).toMatchObject([{ state: "CREATED", previousState: null, transitionName: "create" }]);

    const list = await get("/api/workflows");
    expect(list.headers.get("x-total-count")).toBe("1");
    expect(list.body).toEqual([after.body].map(({ chain: _, ...w }) => w));
  });

  it("reports real assigned counts", async () => {
    const [first] = await t.db.select({ id: items.id }).from(items).where(eq(items.workflowId, 1)).limit(1);
    await t.db.update(items).set({ assignedCount: 2 }).where(eq(items.id, first!.id));
    expect((await get("/api/workflows/1")).body).toMatchObject({
      totalImagesAvailable: 12,
      totalImagesAssigned: 1,
    });
  });
});

describe("validation (the spec's workflow table)", () => {
  it.each([
    ["missing name", { name: undefined }, "name"],
    ["empty name", { name: " " }, "name"],
    ["name over 255 chars", { name: "x".repeat(256) }, "name"],
    ["missing s3SourcePath", { s3SourcePath: undefined }, "s3SourcePath"],
    ["missing s3ExportPath", { s3ExportPath: undefined }, "s3ExportPath"],
    ["'..' in s3SourcePath", { s3SourcePath: "images/../secret/" }, "s3SourcePath"],
    ["roleId not a positive integer", { roleId: 0 }, "roleId"],
    ["labelingConfigId a string", { labelingConfigId: "1" }, "labelingConfigId"],
    ["imagesPerProject 0", { imagesPerProject: 0 }, "imagesPerProject"],
    ["imagesPerProject over 10000", { imagesPerProject: 10_001 }, "imagesPerProject"],
    ["imagesPerProject fractional", { imagesPerProject: 1.5 }, "imagesPerProject"],
    ["maxProjects 0", { maxProjects: 0 }, "maxProjects"],
    ["estimatedTimeMinutes negative", { estimatedTimeMinutes: -5 }, "estimatedTimeMinutes"],
    ["autoAssign not boolean", { autoAssign: "yes" }, "autoAssign"],
    ["goldStandardRate below 0", { goldStandardRate: -0.1 }, "goldStandardRate"],
    ["goldStandardRate above 1", { goldStandardRate: 1.1 }, "goldStandardRate"],
    ["shuffleImages not boolean", { shuffleImages: 1 }, "shuffleImages"],
    ["annotationsPerItem 0", { annotationsPerItem: 0 }, "annotationsPerItem"],
    ["annotationsPerItem over 100", { annotationsPerItem: 101 }, "annotationsPerItem"],
    ["unknown rejectionMode", { rejectionMode: "delete" }, "rejectionMode"],
    ["rejectionArchiveBucket empty", { rejectionArchiveBucket: "" }, "rejectionArchiveBucket"],
    [
      "rejectionReturnToOriginal not boolean",
      { rejectionReturnToOriginal: "no" },
      "rejectionReturnToOriginal",
    ],
    ["rejectionFlagAnnotator not boolean", { rejectionFlagAnnotator: null }, "rejectionFlagAnnotator"],
    ["maxReworkIterations negative", { maxReworkIterations: -1 }, "maxReworkIterations"],
    [
      "route_to_workflow without a target",
      { rejectionMode: "route_to_workflow" },
      "rejectionRouteWorkflowId",
    ],
    ["a role of no one", { roleId: 999 }, "roleId"],
    ["a labeling config of no one", { labelingConfigId: 999 }, "labelingConfigId"],
    ["an unknown previous workflow", { previousWorkflowId: 999 }, "previousWorkflowId"],
    [
      "an unknown rejection target",
      { rejectionMode: "route_to_workflow", rejectionRouteWorkflowId: 999 },
      "rejectionRouteWorkflowId",
    ],
  ])("refuses %s with 400 and details", async (_, override, field) => {
    const response = await post("/api/workflows", { name: "bad", ...base, ...override });
    expect(response.status).toBe(400);
    expect(typeof response.body.error).toBe("string");
    expect(response.body.details.some((d: { path: unknown[] }) => d.path.includes(field))).toBe(true);
  });

  it("accepts the bounds", async () => {
    const w = await workflow({
      imagesPerProject: 10_000,
      goldStandardRate: 1,
      annotationsPerItem: 100,
      maxReworkIterations: 0,
      rejectionMode: "route_to_workflow",
      rejectionRouteWorkflowId: 1,
    });
    expect(w).toMatchObject({
      imagesPerProject: 10_000,
      annotationsPerItem: 100,
      rejectionRouteWorkflowId: 1,
    });
    const small = await workflow({ imagesPerProject: 1, goldStandardRate: 0, annotationsPerItem: 1 });
    expect(small.imagesPerProject).toBe(1);
  });

  it("refuses a chaining cycle, a self-chain and a self rejection target with 400", async () => {
    const a = await workflow({ name: "A" });
    const b = await workflow({ name: "B", previousWorkflowId: a.id });
    const c = await workflow({ name: "C", previousWorkflowId: b.id });
    const cycle = await put(`/api/workflows/${a.id}`, { previousWorkflowId: c.id });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error).toMatch(/cycle/);
    expect(cycle.body.details[0].path).toEqual(["previousWorkflowId"]);
    expect((await put(`/api/workflows/${a.id}`, { previousWorkflowId: b.id })).status).toBe(400);
    expect((await put(`/api/workflows/${a.id}`, { previousWorkflowId: a.id })).status).toBe(400);
    const self = await put(`/api/workflows/${b.id}`, {
      rejectionMode: "route_to_workflow",
      rejectionRouteWorkflowId: b.id,
    });
    expect(self.status).toBe(400);
    expect(self.body.details[0].path).toEqual(["rejectionRouteWorkflowId"]);
    // Rejections may loop back upstream (rework), and re-chaining elsewhere is fine.
    expect(
      (
        await put(`/api/workflows/${c.id}`, {
          rejectionMode: "route_to_workflow",
          rejectionRouteWorkflowId: a.id,
        })
      ).status,
    ).toBe(200);
    expect((await put(`/api/workflows/${c.id}`, { previousWorkflowId: a.id })).body.previousWorkflowId).toBe(
      a.id,
    );
    expect((await get(`/api/workflows/${a.id}`)).body.previousWorkflowId).toBeNull();
  });

  it("checks PUT against the resulting workflow", async () => {
    const w = await workflow();
    expect((await put(`/api/workflows/${w.id}`, {})).status).toBe(400);
    const missing = await put(`/api/workflows/${w.id}`, { rejectionMode: "route_to_workflow" });
    expect(missing.status).toBe(400);
    await put(`/api/workflows/${w.id}`, { rejectionRouteWorkflowId: 1 });
    const ok = await put(`/api/workflows/${w.id}`, { rejectionMode: "route_to_workflow" });
    expect(ok.body).toMatchObject({ rejectionMode: "route_to_workflow", rejectionRouteWorkflowId: 1 });
    expect((await put(`/api/workflows/${w.id}`, { name: "" })).status).toBe(400);
    expect((await put(`/api/workflows/${w.id}`, { roleId: 999 })).status).toBe(400);
    const cleared = await put(`/api/workflows/${w.id}`, { roleId: null, maxProjects: 3, name: "renamed" });
    expect(cleared.body).toMatchObject({ roleId: null, role: null, maxProjects: 3, name: "renamed" });
    expect((await put("/api/workflows/999999", { name: "x" })).status).toBe(404);
    expect((await get("/api/workflows/abc")).status).toBe(400);
  });
});

describe("pause and resume", () => {
  it("moves the workflow's state through the FSM when isActive changes", async () => {
    const w = await workflow();
    const paused = await put(`/api/workflows/${w.id}`, { isActive: false });
    expect(paused.body).toMatchObject({ isActive: false, state: "PAUSED" });
    const resumed = await put(`/api/workflows/${w.id}`, { isActive: true });
    expect(resumed.body).toMatchObject({ isActive: true, state: "IN_PROGRESS" });
    const history = await t.db
      .select()
      .from(fsmStateHistory)
      .where(and(eq(fsmStateHistory.entityName, "workflow"), eq(fsmStateHistory.entityId, String(w.id))))
      .orderBy(fsmStateHistory.id);
    expect(history.map((h) => h.transitionName)).toEqual(["create", "pause", "resume"]);
    expect(history[1]).toMatchObject({ previousState: "CREATED", state: "PAUSED" });
    // Resuming an active workflow is not a transition: no history row, no error.
    expect((await put(`/api/workflows/${w.id}`, { isActive: true })).status).toBe(200);
  });
});
