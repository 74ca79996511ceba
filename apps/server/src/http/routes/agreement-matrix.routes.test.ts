import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { annotations } from "../../db/schema/index.js";
import { agreementFixtures, choice, rating } from "../../modules/agreement/agreement-fixtures.js";

let t: TestApp;
let cookie: string;
let f: ReturnType<typeof agreementFixtures>;
let org: number;
let wf: { id: number };
let item: number;
let john: { id: number };
let jane: { id: number };
let johnAnnotation: number;

const get = (url: string, c = cookie) => t.request("GET", url, { cookie: c });
const sel = (selection: unknown) => encodeURIComponent(JSON.stringify(selection));
const matrixUrl = (query: string, task = item, project = wf.id) =>
  `/api/projects/${project}/tasks/${task}/agreement-matrix?${query}`;
const WITH_V1 = sel({ annotators: { all: true, ids: [] }, models: { all: false, ids: ["v1"] } });

beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
  f = agreementFixtures(t, cookie);
  org = await f.organizationId();
  // The first annotators of a fresh database get ids 1 and 2, as in the reference's example.
  john = await f.annotator(org, "John Doe", "annotator1@example.com");
  jane = await f.annotator(org, "Jane Smith", "annotator2@example.com");
  wf = await f.workflow();
  [item] = (await f.items(org, wf.id, 1)) as [number];
  johnAnnotation = await f.annotate(org, item, john.id, [choice("cat"), rating(4)]);
  await f.annotate(org, item, jane.id, [choice("cat"), rating(5)]);
  const predicted = await t.request("POST", `/api/workflows/${wf.id}/predictions`, {
    cookie,
    body: { model_version: "v1", predictions: [{ item_id: item, result: [choice("dog"), rating(4)] }] },
  });
  expect(predicted.status, JSON.stringify(predicted.body)).toBe(201);
  await t.services.jobs.worker.drain();
});
afterAll(() => t.close());

describe("GET /api/projects/{project_pk}/tasks/{task_pk}/agreement-matrix", () => {
  it("reproduces the reference example's shape: two annotators as LS users plus model:v1", async () => {
    const response = await get(matrixUrl(`selection=${WITH_V1}`));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.users).toEqual([
      {
        avatar: null,
        email: "annotator1@example.com",
        first_name: "John",
        id: 1,
        initials: "JD",
        last_name: "Doe",
        username: "annotator1",
      },
      {
        avatar: null,
        email: "annotator2@example.com",
        first_name: "Jane",
        id: 2,
        initials: "JS",
        last_name: "Smith",
        username: "annotator2",
      },
      { id: "model:v1", username: "Model v1" },
    ]);
    // label: cat, cat, dog; score: 4, 5, 4 (exact match). John–Jane (1+0)/2, John–v1 (0+1)/2, Jane–v1 0.
    expect(response.body.matrix).toEqual([
      [1, 0.5, 0.5],
      [0.5, 1, 0],
      [0.5, 0, 1],
    ]);
  });

  it("gives one dimension's matrix with `dimension`", async () => {
    const [label, score] = (await get(`/api/projects/${wf.id}/dimensions/`)).body;
    const byLabel = await get(matrixUrl(`dimension=${label.id}&selection=${WITH_V1}`));
    expect(byLabel.body.matrix).toEqual([
      [1, 1, 0],
      [1, 1, 0],
      [0, 0, 1],
    ]);
    const byScore = await get(matrixUrl(`dimension=${score.id}&selection=${WITH_V1}`));
    expect(byScore.body.matrix).toEqual([
      [1, 0, 1],
      [0, 1, 0],
      [1, 0, 1],
    ]);
  });

  it("applies selections: default (annotators only), exclusions, inclusions, model prefix, bracket keys", async () => {
    const ids = async (query: string) =>
      (await get(matrixUrl(query))).body.users.map((u: { id: number | string }) => u.id);
    expect(await ids(`selection=${sel({})}`)).toEqual([1, 2]);
    expect(
      await ids(`selection=${sel({ annotators: { all: true, ids: ["1"] }, models: { all: true } })}`),
    ).toEqual([2, "model:v1"]);
    expect(
      await ids(
        `selection=${sel({ annotators: { all: false, ids: ["2"] }, models: { ids: ["model:v1"] } })}`,
      ),
    ).toEqual([2, "model:v1"]);
    expect(
      await ids(`selection=${sel({ annotators: { all: false }, models: { all: false, ids: ["v9"] } })}`),
    ).toEqual([]);
    const bracket = await ids(
      "selection[annotators][all]=false&selection[annotators][ids]=1&selection[annotators][ids]=2&selection[models][all]=true&selection[ground_truth]=false",
    );
    expect(bracket).toEqual([1, 2, "model:v1"]);
    expect(await ids("selection[annotators][all]=true&selection[annotators][ids][0]=2")).toEqual([1]);
  });

  it("compares everyone with the ground truth (the latest ACCEPTED annotation)", async () => {
    const none = await get(matrixUrl(`selection=${sel({ models: { all: true }, ground_truth: true })}`));
    expect(none.body.users.at(-1)).toEqual({
      id: "ground_truth",
      username: "Ground truth",
      annotator_id: null,
    });
    expect(none.body.matrix[0]).toEqual([1, null, null, null]);
    await t.db.update(annotations).set({ state: "ACCEPTED" }).where(eq(annotations.id, johnAnnotation));
    const truth = await get(matrixUrl(`selection=${sel({ models: { all: true }, ground_truth: true })}`));
    expect(truth.body.users.at(-1)).toMatchObject({ id: "ground_truth", annotator_id: john.id });
    expect(truth.body.matrix).toEqual([
      [1, null, null, 1],
      [null, 1, null, 0.5],
      [null, null, 1, 0.5],
      [1, 0.5, 0.5, 1],
    ]);
    await t.db.update(annotations).set({ state: "CREATED" }).where(eq(annotations.id, johnAnnotation));
  });

  it("exports CSV", async () => {
    const response = await get(matrixUrl(`selection=${WITH_V1}&format=csv`));
    expect(response.headers.get("content-type")).toMatch(/text\/csv/);
    expect(response.body).toBe(
      ",annotator1 (1),annotator2 (2),model:v1\nannotator1 (1),1,0.5,0.5\nannotator2 (2),0.5,1,0\nmodel:v1,0.5,0,1\n",
    );
  });

  it.each([
    ["no selection", ""],
    ["malformed JSON", "selection=%7Bnope"],
    ["an unknown key", `selection=${sel({ reviewers: { all: true } })}`],
    ["a wrong type", `selection=${sel({ annotators: { all: "yes" } })}`],
    ["a non-numeric annotator id", `selection=${sel({ annotators: { all: false, ids: ["bob"] } })}`],
    ["an unknown annotator id", `selection=${sel({ annotators: { all: false, ids: ["999"] } })}`],
    ["an unknown bracket key", "selection[annotators][colour]=red"],
    ["a bad bracket boolean", "selection[annotators][all]=maybe"],
    ["an unknown dimension", `dimension=99999&selection=${WITH_V1}`],
    ["a non-numeric dimension", `dimension=abc&selection=${WITH_V1}`],
  ])("answers 400 for %s", async (_, query) => {
    const response = await get(matrixUrl(query));
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual(expect.any(String));
  });

  it("answers 404 across organizations and for a task of another project", async () => {
    const other = await t.memberSession("matrix-other@x.org", "owner", "matrix-other-org");
    expect((await get(matrixUrl(`selection=${WITH_V1}`), other)).status).toBe(404);
    const second = await f.workflow();
    expect((await get(matrixUrl(`selection=${WITH_V1}`, item, second.id))).status).toBe(404);
    expect((await get(matrixUrl(`selection=${WITH_V1}`, 999_999))).status).toBe(404);
  });
});

describe("matrix recomputation", () => {
  it("follows deletions, ignores skipped annotations, keeps gold items out, computes on read when not stored", async () => {
    const [task, gold] = (await f.items(org, wf.id, 1)).concat(await f.items(org, wf.id, 1, "gold")) as [
      number,
      number,
    ];
    const a = await f.annotator(org);
    const b = await f.annotator(org);
    const c = await f.annotator(org);
    await f.annotate(org, task, a.id, [choice("cat")]);
    const deleted = await f.annotate(org, task, b.id, [choice("dog")]);
    await f.annotate(org, task, c.id, [choice("cat")], { wasCancelled: true });
    await f.annotate(org, gold, a.id, [choice("cat")]);
    await f.annotate(org, gold, b.id, [choice("cat")]);
    await t.services.jobs.worker.drain();
    const overall = async () => (await f.matrixRows(task)).find((r) => r.dimension === "");
    expect((await overall())?.participants).toEqual([`annotator:${a.id}`, `annotator:${b.id}`]);
    expect((await overall())?.task_agreement).toBe(0);
    expect(await f.matrixRows(gold)).toEqual([]);
    const goldMatrix = await get(matrixUrl(`selection=${sel({})}`, gold));
    expect(goldMatrix.body).toEqual({ matrix: [], users: [] });

    await t.db.update(annotations).set({ state: "DELETED" }).where(eq(annotations.id, deleted));
    await t.services.agreement.matrices.enqueueItems(org, [task]);
    await t.services.jobs.worker.drain();
    expect((await overall())?.participants).toEqual([`annotator:${a.id}`]);
    expect((await overall())?.task_agreement).toBe(1);

    const [fresh] = (await f.items(org, wf.id, 1)) as [number];
    await f.annotate(org, fresh, a.id, [choice("cat")], { silent: true });
    await f.annotate(org, fresh, b.id, [choice("cat")], { silent: true });
    expect(await f.matrixRows(fresh)).toEqual([]);
    const onRead = await get(matrixUrl(`selection=${sel({})}`, fresh));
    expect(onRead.body.matrix).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });
});
