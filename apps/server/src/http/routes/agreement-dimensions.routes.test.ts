import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import {
  agreementFixtures,
  CHOICE_RATING_CONFIG,
  choice,
  rating,
} from "../../modules/agreement/agreement-fixtures.js";

let t: TestApp;
let cookie: string;
let f: ReturnType<typeof agreementFixtures>;
let org: number;

const get = (url: string, c = cookie) => t.request("GET", url, { cookie: c });
const post = (url: string, body: unknown, c = cookie) => t.request("POST", url, { cookie: c, body });
const patch = (url: string, body: unknown, c = cookie) => t.request("PATCH", url, { cookie: c, body });

beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
  f = agreementFixtures(t, cookie);
  org = await f.organizationId();
});
afterAll(() => t.close());

describe("/api/projects/{project_pk}/dimensions/", () => {
  it("creates one system dimension per control of the labeling config, with the default metric", async () => {
    const wf = await f.workflow();
    const list = await get(`/api/projects/${wf.id}/dimensions/`);
    expect(list.status).toBe(200);
    expect(list.headers.get("x-total-count")).toBe("2");
    expect(list.body).toEqual([
      expect.objectContaining({
        project: wf.id,
        name: "label",
        control_tag: "Choices",
        control_name: "label",
        is_categorical: true,
        values_enum: ["cat", "dog"],
        metric_type: "exact_matching_choices",
        is_active: true,
        is_user_defined: false,
        overall_weight: 1,
        order: 0,
      }),
      expect.objectContaining({
        name: "score",
        control_tag: "Rating",
        metric_type: "exact_matching_choices",
      }),
    ]);
    expect(list.body[0].allowed_metrics_with_params).toMatchObject({
      exact_matching_choices: { is_default: true },
      naive: { is_default: false },
    });
  });

  it("follows the config when the workflow's labeling config changes", async () => {
    const wf = await f.workflow();
    const boxes = await post("/api/labeling-configs", {
      name: "boxes",
      configXml:
        '<View><Image name="image" value="$image"/><RectangleLabels name="box" toName="image"><Label value="car"/></RectangleLabels></View>',
    });
    const updated = await t.request("PUT", `/api/workflows/${wf.id}`, {
      cookie,
      body: { labelingConfigId: boxes.body.id },
    });
    expect(updated.status).toBe(200);
    const list = await get(`/api/projects/${wf.id}/dimensions/`);
    expect(list.body.map((d: { name: string; metric_type: string }) => [d.name, d.metric_type])).toEqual([
      ["box", "iou_bboxes"],
    ]);
  });

  it("picks up a config edited in place (same config id) on the next read", async () => {
    const wf = await f.workflow();
    const edited = CHOICE_RATING_CONFIG.replace("</View>", '<TextArea name="note" toName="image"/></View>');
    expect(
      (
        await t.request("PUT", `/api/labeling-configs/${wf.configId}`, {
          cookie,
          body: { configXml: edited },
        })
      ).status,
    ).toBe(200);
    const list = await get(`/api/projects/${wf.id}/dimensions/`);
    expect(list.body.map((d: { name: string }) => d.name)).toEqual(["label", "score", "note"]);
  });

  it("updates metric, weights and active flag, validates the metric against the control, filters and orders", async () => {
    const wf = await f.workflow();
    const [label, score] = (await get(`/api/projects/${wf.id}/dimensions/`)).body;
    const numeric = await patch(`/api/projects/${wf.id}/dimensions/${score.id}/`, {
      metric_params: { mode: "difference" },
      overall_weight: 0.5,
    });
    expect(numeric.status, JSON.stringify(numeric.body)).toBe(200);
    expect(numeric.body).toMatchObject({ metric_params: { mode: "difference" }, overall_weight: 0.5 });
    const wrong = await patch(`/api/projects/${wf.id}/dimensions/${label.id}/`, {
      metric_type: "iou_bboxes",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatch(/does not apply/);
    const unknown = await patch(`/api/projects/${wf.id}/dimensions/${label.id}/`, { metric_type: "nope" });
    expect(unknown.status).toBe(400);
    const badParams = await patch(`/api/projects/${wf.id}/dimensions/${label.id}/`, {
      metric_params: { x: 1 },
    });
    expect(badParams.status).toBe(400);
    expect((await patch(`/api/projects/${wf.id}/dimensions/${label.id}/`, {})).status).toBe(400);
    const off = await patch(`/api/projects/${wf.id}/dimensions/${label.id}/`, { is_active: false });
    expect(off.body.is_active).toBe(false);
    const active = await get(`/api/projects/${wf.id}/dimensions/?is_active=true`);
    expect(active.body.map((d: { id: number }) => d.id)).toEqual([score.id]);
    const byName = await get(`/api/projects/${wf.id}/dimensions/?ordering=-name`);
    expect(byName.body.map((d: { name: string }) => d.name)).toEqual(["score", "label"]);
    expect((await get(`/api/projects/${wf.id}/dimensions/?ordering=sideways`)).status).toBe(400);
    const one = await get(`/api/projects/${wf.id}/dimensions/${label.id}/`);
    expect(one.body).toMatchObject({ id: label.id, is_active: false });
  });

  it("adds a user-defined dimension on a control, refuses duplicates and unknown controls, deletes it", async () => {
    const wf = await f.workflow();
    const created = await post(`/api/projects/${wf.id}/dimensions/`, {
      name: "label_any",
      description: "naive exact match of the label",
      extraction_method_params: { control_name: "label" },
      metric_type: "naive",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ is_user_defined: true, control_name: "label", order: 2 });
    expect(
      (
        await post(`/api/projects/${wf.id}/dimensions/`, {
          name: "label_any",
          extraction_method_params: { control_name: "label" },
        })
      ).status,
    ).toBe(409);
    const unknown = await post(`/api/projects/${wf.id}/dimensions/`, { name: "nothing" });
    expect(unknown.status).toBe(400);
    expect((await post(`/api/projects/${wf.id}/dimensions/`, {})).status).toBe(400);
    const system = (await get(`/api/projects/${wf.id}/dimensions/`)).body[0];
    expect(
      (await t.request("DELETE", `/api/projects/${wf.id}/dimensions/${system.id}/`, { cookie })).status,
    ).toBe(409);
    const removed = await t.request("DELETE", `/api/projects/${wf.id}/dimensions/${created.body.id}/`, {
      cookie,
    });
    expect(removed.body).toEqual({ success: true });
    expect((await get(`/api/projects/${wf.id}/dimensions/${created.body.id}/`)).status).toBe(404);
  });

  it("recomputes stored matrices when a dimension's scoring changes", async () => {
    const wf = await f.workflow();
    const [item] = await f.items(org, wf.id, 1);
    const a = await f.annotator(org);
    const b = await f.annotator(org);
    await f.annotate(org, item!, a.id, [choice("cat"), rating(4)]);
    await f.annotate(org, item!, b.id, [choice("cat"), rating(5)]);
    await t.services.jobs.worker.drain();
    const overall = async () => (await f.matrixRows(item!)).find((r) => r.dimension === "")!;
    // label 1, score 0 → 0.5.
    expect((await overall()).matrix[0]![1]).toBeCloseTo(0.5, 12);
    const score = (await get(`/api/projects/${wf.id}/dimensions/`)).body[1];
    await patch(`/api/projects/${wf.id}/dimensions/${score.id}/`, { is_active: false });
    await t.services.jobs.worker.drain();
    expect((await overall()).matrix[0]![1]).toBe(1);
  });

  it("answers 404 for another organization's project, and viewers may read but not write", async () => {
    const wf = await f.workflow();
    const other = await t.memberSession("dims-other@x.org", "owner", "dims-other-org");
    expect((await get(`/api/projects/${wf.id}/dimensions/`, other)).status).toBe(404);
    expect((await post(`/api/projects/${wf.id}/dimensions/`, { name: "label" }, other)).status).toBe(404);
    const viewer = await t.memberSession("dims-viewer@x.org", "viewer");
    expect((await get(`/api/projects/${wf.id}/dimensions/`, viewer)).status).toBe(200);
    expect((await post(`/api/projects/${wf.id}/dimensions/`, { name: "x" }, viewer)).status).toBe(403);
  });
});
