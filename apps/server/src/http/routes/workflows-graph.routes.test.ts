import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { annotators, assignments, items, organizations } from "../../db/schema/index.js";
import type { LabelingConfigChange } from "../../modules/workflows/workflows.service.js";

let t: TestApp;
let cookie: string;
let org: number;
let roleId: number;
let configId: number;
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
  roleId = (await post("/api/roles", { name: "labeler", color: "#3B82F6" })).body.id;
  const config = await post("/api/labeling-configs", { name: "Object Detection", configXml: CONFIG_XML });
  configId = config.body.id;
  await workflow({ name: "first", roleId, labelingConfigId: configId });
});
afterAll(() => t.close());

// Workflows 1 (with a role and a config) exists; the spec's pipeline itself: workflows.routes.test.ts.
describe("chain, bulk, delete, graph", () => {
  it("traces the chain from origin to terminal nodes", async () => {
    const a = await workflow({ name: "origin" });
    const b = await workflow({ name: "middle", previousWorkflowId: a.id });
    const c = await workflow({ name: "end-1", previousWorkflowId: b.id });
    const d = await workflow({ name: "end-2", previousWorkflowId: b.id });
    const { body } = await get(`/api/workflows/${b.id}`);
    expect(body.chain.map((n: { id: number }) => n.id)).toEqual([a.id, b.id, c.id, d.id]);
    expect(body.chain.map((n: { depth: number }) => n.depth)).toEqual([0, 1, 2, 2]);
    expect(body.chain.map((n: { isTerminal: boolean }) => n.isTerminal)).toEqual([false, false, true, true]);
    expect(body.chain[1]).toMatchObject({ isCurrent: true, name: "middle", previousWorkflowId: a.id });
    const fromEnd = await get(`/api/workflows/${c.id}`);
    expect(fromEnd.body.chain.map((n: { id: number }) => n.id)).toEqual([a.id, b.id, c.id]);
    // A chained workflow waits for upstream items: no sync of its prefix was queued.
    expect((await get(`/api/workflows/${b.id}/sync`)).body.status).toBe("never");
  });

  it("creates a batch in order, with references to earlier entries, all or nothing", async () => {
    const before = Number((await get("/api/workflows")).headers.get("x-total-count"));
    const created = await post("/api/workflows/bulk", {
      workflows: [
        { name: "Stage 1", s3SourcePath: "data/", s3ExportPath: "out/", labelingConfigId: configId },
        { name: "Stage 2", s3SourcePath: "data/", s3ExportPath: "out/", previousWorkflowId: "$0" },
        {
          name: "Stage 3",
          s3SourcePath: "data/",
          s3ExportPath: "out/",
          previousWorkflowId: 1,
          rejectionMode: "route_to_workflow",
          rejectionRouteWorkflowId: "$1",
        },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body.created).toBe(3);
    const [s1, s2, s3] = created.body.workflows;
    expect(s2.previousWorkflowId).toBe(s1.id);
    expect(s3).toMatchObject({ previousWorkflowId: 1, rejectionRouteWorkflowId: s2.id });
    expect(configChanges.some((c) => c.workflowId === s1.id && c.labelingConfigId === configId)).toBe(true);

    const count = async () => Number((await get("/api/workflows")).headers.get("x-total-count"));
    expect(await count()).toBe(before + 3);
    const entry = { name: "x", s3SourcePath: "d/", s3ExportPath: "o/" };
    const failures = [
      [{ workflows: [entry, { ...entry, labelingConfigId: 999 }] }, ["workflows", 1, "labelingConfigId"]],
      [
        { workflows: [entry, { ...entry, previousWorkflowId: "$1" }] },
        ["workflows", 1, "previousWorkflowId"],
      ],
      [
        { workflows: [entry, { ...entry, previousWorkflowId: "$5" }] },
        ["workflows", 1, "previousWorkflowId"],
      ],
      [
        { workflows: [entry, { ...entry, rejectionMode: "route_to_workflow" }] },
        ["workflows", 1, "rejectionRouteWorkflowId"],
      ],
      [
        { workflows: [entry, { ...entry, previousWorkflowId: "first" }] },
        ["workflows", 1, "previousWorkflowId"],
      ],
      [{ workflows: Array.from({ length: 51 }, () => entry) }, ["workflows"]],
      [{ workflows: [] }, ["workflows"]],
    ] as const;
    for (const [body, path] of failures) {
      const response = await post("/api/workflows/bulk", body);
      expect(response.status, JSON.stringify(body).slice(0, 200)).toBe(400);
      expect(response.body.details[0].path).toEqual(path);
    }
    expect(await count()).toBe(before + 3);
    const fifty = await post("/api/workflows/bulk", { workflows: Array.from({ length: 50 }, () => entry) });
    expect(fifty.body.created).toBe(50);
  });

  it("deletes an unused workflow with its items; 409 while referenced or assigned", async () => {
    await t.services.storage.put("del/a.jpg", "x");
    const w = await workflow({ s3SourcePath: "del/" });
    const child = await workflow({ previousWorkflowId: w.id });
    await t.services.jobs.worker.drain();
    expect((await get(`/api/workflows/${w.id}`)).body.totalImagesAvailable).toBe(1);
    const referenced = await t.request("DELETE", `/api/workflows/${w.id}`, { cookie });
    expect(referenced.status).toBe(409);
    expect(referenced.body.error).toContain(String(child.id));
    expect((await t.request("DELETE", `/api/workflows/${child.id}`, { cookie })).body).toEqual({
      success: true,
    });
    const [annotator] = await t.db
      .insert(annotators)
      .values({ organizationId: org, name: "Ann", email: "ann@x.org" })
      .returning();
    const [assignment] = await t.db
      .insert(assignments)
      .values({ organizationId: org, workflowId: w.id, annotatorId: annotator!.id })
      .returning();
    const assigned = await t.request("DELETE", `/api/workflows/${w.id}`, { cookie });
    expect(assigned.status).toBe(409);
    expect(assigned.body.error).toMatch(/assignment/);
    await t.db.delete(assignments).where(eq(assignments.id, assignment!.id));
    expect((await t.request("DELETE", `/api/workflows/${w.id}`, { cookie })).status).toBe(200);
    expect((await get(`/api/workflows/${w.id}`)).status).toBe(404);
    expect(await t.db.select().from(items).where(eq(items.workflowId, w.id))).toEqual([]);
    expect((await t.request("DELETE", `/api/workflows/${w.id}`, { cookie })).status).toBe(404);
  });

  it("serves the graph: nodes with stats, archive terminals, chain and rejection edges", async () => {
    const label = await workflow({ name: "label", roleId });
    const review = await workflow({
      name: "review",
      previousWorkflowId: label.id,
      rejectionMode: "route_to_workflow",
      rejectionRouteWorkflowId: label.id,
    });
    const archive = await workflow({
      name: "archive",
      previousWorkflowId: review.id,
      rejectionMode: "archive",
    });
    const [annotator] = await t.db
      .insert(annotators)
      .values({ organizationId: org, name: "G", email: "g@x.org", status: "active" })
      .returning();
    await t.db.insert(assignments).values([
      { organizationId: org, workflowId: label.id, annotatorId: annotator!.id, status: "completed" },
      { organizationId: org, workflowId: label.id, annotatorId: annotator!.id, status: "in_progress" },
      { organizationId: org, workflowId: label.id, annotatorId: annotator!.id, status: "failed" },
    ]);
    const { status, body } = await get("/api/workflows/graph");
    expect(status).toBe(200);
    const node = (id: number | string) => body.nodes.find((n: { id: unknown }) => n.id === id);
    expect(node(label.id)).toEqual({
      id: label.id,
      name: "label",
      type: "workflow",
      roleId,
      roleName: "labeler",
      roleColor: "#3B82F6",
      isActive: true,
      rejectionMode: "none",
      stats: { totalAssignments: 3, completedAssignments: 1, activeAnnotators: 1, rejectionRate: 0 },
    });
    expect(node(`archive-${archive.id}`)).toEqual({
      id: `archive-${archive.id}`,
      name: "Archive",
      type: "terminal",
    });
    expect(body.edges).toEqual(
      expect.arrayContaining([
        { source: label.id, target: review.id, type: "chain", label: "accept" },
        { source: review.id, target: label.id, type: "rejection", label: "reject" },
        { source: review.id, target: archive.id, type: "chain", label: "accept" },
        { source: archive.id, target: `archive-${archive.id}`, type: "rejection", label: "reject" },
      ]),
    );
    const workflowNodes = body.nodes.filter((n: { type: string }) => n.type === "workflow");
    expect(workflowNodes.length).toBe(Number((await get("/api/workflows")).headers.get("x-total-count")));
  });
});

describe("sync endpoints", () => {
  it("starts a sync job once, reports progress, and picks up new files", async () => {
    for (let i = 0; i < 3; i++) await t.services.storage.put(`on-demand/${i}.png`, "x");
    const w = await workflow({ s3SourcePath: "on-demand/" });
    const again = await post(`/api/workflows/${w.id}/sync`, {});
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ started: false, status: "queued" });
    await t.services.jobs.worker.drain();
    expect((await get(`/api/workflows/${w.id}/sync`)).body).toMatchObject({ status: "done", inserted: 3 });
    await t.services.storage.put("on-demand/3.png", "x");
    const started = await t.request("POST", `/api/workflows/${w.id}/sync`, { cookie });
    expect(started.body).toMatchObject({ started: true, status: "queued" });
    await t.services.jobs.worker.drain();
    expect((await get(`/api/workflows/${w.id}/sync`)).body).toMatchObject({
      status: "done",
      listed: 4,
      inserted: 1,
      totalImagesAvailable: 4,
    });
    expect((await post(`/api/workflows/${w.id}/sync`, { restart: "yes" })).status).toBe(400);
    expect((await post("/api/workflows/999999/sync", {})).status).toBe(404);
  });

  it("syncs the new prefix when s3SourcePath changes", async () => {
    await t.services.storage.put("moved/a.jpg", "x");
    const w = await workflow({ s3SourcePath: "nothing-here/" });
    await t.services.jobs.worker.drain();
    await put(`/api/workflows/${w.id}`, { s3SourcePath: "moved/" });
    await t.services.jobs.worker.drain();
    expect((await get(`/api/workflows/${w.id}/sync`)).body).toMatchObject({ prefix: "moved/", inserted: 1 });
  });
});

describe("tenancy and member roles", () => {
  it("hides other organizations' workflows (404) and refuses their ids as references (400)", async () => {
    const other = await t.memberSession("other@org2.test", "admin", "org2");
    const theirs = await t.request("POST", "/api/workflows", {
      cookie: other,
      body: { name: "theirs", ...base },
    });
    expect(theirs.status).toBe(201);
    expect((await get(`/api/workflows/${theirs.body.id}`)).status).toBe(404);
    expect((await put(`/api/workflows/${theirs.body.id}`, { name: "mine" })).status).toBe(404);
    expect((await t.request("DELETE", `/api/workflows/${theirs.body.id}`, { cookie })).status).toBe(404);
    expect((await get(`/api/workflows/${theirs.body.id}/sync`)).status).toBe(404);
    const reference = await post("/api/workflows", {
      name: "x",
      ...base,
      previousWorkflowId: theirs.body.id,
    });
    expect(reference.status).toBe(400);
    const foreignRole = await t.request("POST", "/api/workflows", {
      cookie: other,
      body: { name: "r", ...base, roleId },
    });
    expect(foreignRole.status).toBe(400);
    const graph = await t.request("GET", "/api/workflows/graph", { cookie: other });
    expect(graph.body.nodes.map((n: { id: unknown }) => n.id)).toEqual([theirs.body.id]);
  });

  it("lets viewers read but not write", async () => {
    const viewer = await t.memberSession("viewer@x.test", "viewer");
    expect((await t.request("GET", "/api/workflows/1", { cookie: viewer })).status).toBe(200);
    const write = await t.request("POST", "/api/workflows", { cookie: viewer, body: { name: "v", ...base } });
    expect(write.status).toBe(403);
  });
});
