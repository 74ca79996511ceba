import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { assignmentFixtures } from "../../modules/assignments/test-fixtures.js";

let t: TestApp;
let cookie: string;
let f: ReturnType<typeof assignmentFixtures>;
let orgId: number;
beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
  f = assignmentFixtures(t.services);
  orgId = await f.organizationId();
});
afterAll(() => t.close());

async function workflowWithItems(count: number, values: Record<string, unknown> = {}) {
  const role = await f.role(orgId);
  const config = await f.labelingConfig(orgId);
  const workflow = await f.workflow(orgId, {
    roleId: role.id,
    labelingConfigId: config.id,
    imagesPerProject: 3,
    ...values,
  });
  await f.items(orgId, workflow.id, count);
  return { role, config, workflow };
}

describe("POST /api/workflows/:id/assign", () => {
  it("answers the spec's shape", async () => {
    const { role, workflow } = await workflowWithItems(5);
    const annotator = await f.annotator(orgId, { roleId: role.id });
    const response = await t.request("POST", `/api/workflows/${workflow.id}/assign`, {
      cookie,
      body: { annotatorId: annotator.id },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      success: true,
      assignment: {
        id: expect.any(Number),
        workflowId: workflow.id,
        annotatorId: annotator.id,
        lsProjectId: null,
        taskCount: 3,
        goldTaskCount: 0,
        status: "pending",
      },
    });
  });

  it("answers 400 for bad input, an inactive annotator or the wrong role; 404; 409 when nothing is left", async () => {
    const { role, workflow } = await workflowWithItems(1);
    const path = `/api/workflows/${workflow.id}/assign`;
    for (const body of [{}, { annotatorId: "x" }, { annotatorId: 1.5 }, { annotatorId: -1 }]) {
      const response = await t.request("POST", path, { cookie, body });
      expect(response.status).toBe(400);
      expect(response.body.details[0].path).toEqual(["annotatorId"]);
    }
    const stopped = await f.annotator(orgId, { roleId: role.id, status: "stopped" });
    const wrongRole = await f.annotator(orgId, { roleId: (await f.role(orgId)).id });
    const active = await f.annotator(orgId, { roleId: role.id });
    expect((await t.request("POST", path, { cookie, body: { annotatorId: stopped.id } })).status).toBe(400);
    expect((await t.request("POST", path, { cookie, body: { annotatorId: wrongRole.id } })).status).toBe(400);
    expect((await t.request("POST", path, { cookie, body: { annotatorId: 999_999 } })).status).toBe(404);
    expect(
      (await t.request("POST", "/api/workflows/999999/assign", { cookie, body: { annotatorId: active.id } }))
        .status,
    ).toBe(404);
    expect((await t.request("POST", path, { cookie, body: { annotatorId: active.id } })).status).toBe(200);
    const empty = await t.request("POST", path, { cookie, body: { annotatorId: active.id } });
    expect(empty.status).toBe(409);
    expect(empty.body.error).toBe("No images available for assignment");
  });

  it("is refused to viewers and hidden from other organizations", async () => {
    const { role, workflow } = await workflowWithItems(2);
    const annotator = await f.annotator(orgId, { roleId: role.id });
    const viewer = await t.memberSession("viewer@example.com", "viewer");
    const path = `/api/workflows/${workflow.id}/assign`;
    expect(
      (await t.request("POST", path, { cookie: viewer, body: { annotatorId: annotator.id } })).status,
    ).toBe(403);
    const outsider = await t.memberSession("outsider@example.com", "admin", "other-org");
    expect(
      (await t.request("POST", path, { cookie: outsider, body: { annotatorId: annotator.id } })).status,
    ).toBe(404);
  });
});

describe("/api/assignments", () => {
  it("lists with filters, always in the envelope, with X-Total-Count", async () => {
    const { role, workflow } = await workflowWithItems(9);
    const [a, b] = [
      await f.annotator(orgId, { roleId: role.id }),
      await f.annotator(orgId, { roleId: role.id }),
    ];
    const first = (await t.services.assignments.assign(orgId, workflow.id, a.id))!;
    await t.services.assignments.assign(orgId, workflow.id, a.id);
    await t.services.assignments.assign(orgId, workflow.id, b.id);
    await t.services.assignments.cancel(orgId, first.id, null);

    const all = await t.request("GET", `/api/assignments?workflowId=${workflow.id}`, { cookie });
    expect(all.status).toBe(200);
    expect(all.headers.get("x-total-count")).toBe("3");
    expect(all.body.pagination).toEqual({ total: 3, limit: 100, offset: 0, hasMore: false });
    expect(all.body.data[0]).toMatchObject({
      workflowId: workflow.id,
      annotator: { id: b.id, name: b.name, email: b.email, status: "active", roleId: role.id },
      workflow: { id: workflow.id, name: workflow.name },
    });
    expect(JSON.stringify(all.body)).not.toMatch(/apiTokenEnc|webhookSecretEnc/);

    const byAnnotator = await t.request(
      "GET",
      `/api/assignments?workflowId=${workflow.id}&annotatorId=${a.id}`,
      { cookie },
    );
    expect(byAnnotator.body.data.map((x: { annotatorId: number }) => x.annotatorId)).toEqual([a.id, a.id]);
    const cancelled = await t.request("GET", `/api/assignments?workflowId=${workflow.id}&status=cancelled`, {
      cookie,
    });
    expect(cancelled.body.data.map((x: { id: number }) => x.id)).toEqual([first.id]);
    const page = await t.request("GET", `/api/assignments?workflowId=${workflow.id}&limit=1&offset=1`, {
      cookie,
    });
    expect(page.body.data).toHaveLength(1);
    expect(page.body.pagination).toEqual({ total: 3, limit: 1, offset: 1, hasMore: true });
    expect((await t.request("GET", "/api/assignments?status=done", { cookie })).status).toBe(400);
    expect((await t.request("GET", "/api/assignments?limit=501", { cookie })).status).toBe(400);

    const outsider = await t.memberSession("outsider2@example.com", "admin", "other-org");
    const foreign = await t.request("GET", `/api/assignments?workflowId=${workflow.id}`, {
      cookie: outsider,
    });
    expect(foreign.body.pagination.total).toBe(0);
  });

  it("gets one with annotator (role), workflow (labeling config), tasks and gold results", async () => {
    const { role, workflow, config } = await workflowWithItems(3);
    const annotator = await f.annotator(orgId, { roleId: role.id });
    const assignment = (await t.services.assignments.assign(orgId, workflow.id, annotator.id))!;
    const response = await t.request("GET", `/api/assignments/${assignment.id}`, { cookie });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: assignment.id,
      status: "pending",
      taskCount: 3,
      annotator: { id: annotator.id, role: { id: role.id, name: role.name } },
      workflow: { id: workflow.id, labelingConfig: { id: config.id, configXml: config.configXml } },
      goldResults: [],
    });
    expect(response.body.tasks).toHaveLength(3);
    expect(response.body.tasks[0]).toMatchObject({
      position: 0,
      isGold: false,
      isDone: false,
      lsTaskId: null,
    });
    expect(response.body.tasks[0].storageKey).toMatch(/^images\/img-/);
    expect((await t.request("GET", "/api/assignments/999999", { cookie })).status).toBe(404);
    const outsider = await t.memberSession("outsider3@example.com", "admin", "other-org");
    expect((await t.request("GET", `/api/assignments/${assignment.id}`, { cookie: outsider })).status).toBe(
      404,
    );
  });

  it("DELETE cancels pending and in-progress assignments, 409 otherwise, 404 for others' assignments", async () => {
    const { role, workflow } = await workflowWithItems(3);
    const annotator = await f.annotator(orgId, { roleId: role.id });
    const assignment = (await t.services.assignments.assign(orgId, workflow.id, annotator.id))!;
    const outsider = await t.memberSession("outsider4@example.com", "admin", "other-org");
    expect(
      (await t.request("DELETE", `/api/assignments/${assignment.id}`, { cookie: outsider })).status,
    ).toBe(404);
    const viewer = await t.memberSession("viewer2@example.com", "viewer");
    expect((await t.request("DELETE", `/api/assignments/${assignment.id}`, { cookie: viewer })).status).toBe(
      403,
    );
    const ok = await t.request("DELETE", `/api/assignments/${assignment.id}`, { cookie });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ success: true });
    const again = await t.request("DELETE", `/api/assignments/${assignment.id}`, { cookie });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      error: "Cannot cancel assignment with status cancelled",
      current_state: "cancelled",
    });
    expect((await t.request("DELETE", "/api/assignments/999999", { cookie })).status).toBe(404);
    expect((await t.request("DELETE", "/api/assignments/abc", { cookie })).status).toBe(400);
  });
});
