import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { agreementFixtures, choice } from "../../modules/agreement/agreement-fixtures.js";

let t: TestApp;
let cookie: string;
let f: ReturnType<typeof agreementFixtures>;
let org: number;
let wf: { id: number };
let items: number[];

const post = (body: unknown, workflow = wf.id, c = cookie) =>
  t.request("POST", `/api/workflows/${workflow}/predictions`, { cookie: c, body });

beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
  f = agreementFixtures(t, cookie);
  org = await f.organizationId();
  wf = await f.workflow();
  items = await f.items(org, wf.id, 3);
});
afterAll(() => t.close());

describe("/api/workflows/{id}/predictions", () => {
  it("stores one prediction per item and model version, replaces on re-upload, and recomputes the matrix", async () => {
    const annotator = await f.annotator(org);
    await f.annotate(org, items[0]!, annotator.id, [choice("cat")]);
    const first = await post({
      model_version: "v1",
      predictions: [
        { item_id: items[0], result: [choice("dog")], score: 0.4 },
        { item_id: items[1], model_version: "v2", result: [choice("cat")] },
      ],
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ created: 2, updated: 0 });
    expect(first.body.predictions[0]).toMatchObject({ item_id: items[0], model_version: "v1", score: 0.4 });
    await t.services.jobs.worker.drain();
    const before = (await f.matrixRows(items[0]!)).find((r) => r.dimension === "")!;
    expect(before.participants).toEqual([`annotator:${annotator.id}`, "model:v1"]);
    expect(before.matrix[0]![1]).toBe(0);

    const again = await post({
      model_version: "v1",
      predictions: [{ item_id: items[0], result: [choice("cat")] }],
    });
    expect(again.body).toMatchObject({ created: 0, updated: 1 });
    await t.services.jobs.worker.drain();
    const after = (await f.matrixRows(items[0]!)).find((r) => r.dimension === "")!;
    expect(after.matrix[0]![1]).toBe(1);

    const list = await t.request("GET", `/api/workflows/${wf.id}/predictions?model_version=v1`, { cookie });
    expect(list.headers.get("x-total-count")).toBe("1");
    expect(list.body[0]).toMatchObject({ item_id: items[0], result: [choice("cat")] });
    const byItem = await t.request("GET", `/api/workflows/${wf.id}/predictions?item_id=${items[1]}&limit=5`, {
      cookie,
    });
    expect(byItem.body.data.map((p: { model_version: string }) => p.model_version)).toEqual(["v2"]);
  });

  it("refuses unknown items, another workflow's items, missing versions and duplicates with 400 and details", async () => {
    const other = await f.workflow();
    const [foreign] = await f.items(org, other.id, 1);
    const response = await post({
      predictions: [
        { item_id: 999_999, model_version: "v1", result: [] },
        { item_id: foreign, model_version: "v1", result: [] },
        { item_id: items[2], result: [] },
        { item_id: items[1], model_version: "v3", result: [] },
        { item_id: items[1], model_version: "v3", result: [] },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.body.details.map((d: { path: unknown[] }) => d.path)).toEqual([
      ["predictions", 2, "model_version"],
      ["predictions", 0, "item_id"],
      ["predictions", 1, "item_id"],
      ["predictions", 4],
    ]);
    expect((await post({ model_version: "v1", predictions: [] })).status).toBe(400);
    const tooMany = Array.from({ length: 101 }, () => ({ item_id: items[0], result: [] }));
    expect((await post({ model_version: "v1", predictions: tooMany })).status).toBe(400);
  });

  it("answers 404 for another organization's workflow", async () => {
    const stranger = await t.memberSession("pred-other@x.org", "owner", "pred-other-org");
    const response = await post(
      { model_version: "v1", predictions: [{ item_id: items[0], result: [] }] },
      wf.id,
      stranger,
    );
    expect(response.status).toBe(404);
    expect((await t.request("GET", `/api/workflows/${wf.id}/predictions`, { cookie: stranger })).status).toBe(
      404,
    );
  });
});
