import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { agreementFixtures, choice, rating } from "../../modules/agreement/agreement-fixtures.js";

let t: TestApp;
let cookie: string;
let f: ReturnType<typeof agreementFixtures>;
let org: number;
let wf: { id: number };
let people: { id: number }[];

const get = (url: string, c = cookie) => t.request("GET", url, { cookie: c });

beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
  f = agreementFixtures(t, cookie);
  org = await f.organizationId();
  wf = await f.workflow();
  people = [
    await f.annotator(org, "Ann A"),
    await f.annotator(org, "Bob B"),
    await f.annotator(org, "Cid C"),
  ];
  const [i1, i2, i3, i4] = (await f.items(org, wf.id, 4)) as [number, number, number, number];
  const [a, b, c] = people as [{ id: number }, { id: number }, { id: number }];
  // (label, score) per annotator; i4 has a single annotation and stays out of every mean.
  const table: [number, { id: number }, string, number][] = [
    [i1, a, "cat", 3],
    [i1, b, "cat", 3],
    [i1, c, "cat", 3],
    [i2, a, "cat", 3],
    [i2, b, "cat", 4],
    [i2, c, "dog", 3],
    [i3, a, "dog", 2],
    [i3, b, "dog", 2],
    [i4, a, "cat", 5],
  ];
  for (const [item, who, label, score] of table)
    await f.annotate(org, item, who.id, [choice(label), rating(score)]);
  await t.request("POST", `/api/workflows/${wf.id}/predictions`, {
    cookie,
    body: { model_version: "v1", predictions: [{ item_id: i1, result: [choice("cat"), rating(3)] }] },
  });
  await t.services.jobs.worker.drain();
});
afterAll(() => t.close());

describe("GET /api/projects/{project_pk}/agreement", () => {
  it("summarises means, annotators, models, histogram and chance-corrected coefficients (worked by hand)", async () => {
    const response = await get(`/api/projects/${wf.id}/agreement`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const s = response.body;
    // Task agreement: i1 1, i2 (0.5 + 0.5 + 0)/3, i3 1.
    expect(s.overall.tasks).toBe(3);
    expect(s.overall.mean_agreement).toBeCloseTo(7 / 9, 6);
    expect(s.histogram[9].count).toBe(2);
    expect(s.histogram[3]).toEqual({ from: 0.3, to: 0.4, count: 1 });
    expect(s.histogram.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(3);
    const [label, score] = s.dimensions;
    expect(label).toMatchObject({ name: "label", tasks: 3 });
    expect(label.mean_agreement).toBeCloseTo(7 / 9, 6);
    // Coincidences (label): cat–cat 4, cat–dog 1, dog–cat 1, dog–dog 2; n = 8 → α = 1 − 7·2 / (2·5·3).
    expect(label.coefficients.krippendorff_alpha_nominal).toBeCloseTo(1 - 14 / 30, 6);
    expect(label.coefficients.krippendorff_alpha_interval).toBeNull();
    // Raters per task differ (3, 3, 2, 1): Fleiss' kappa is undefined.
    expect(label.coefficients.fleiss_kappa).toBeNull();
    expect(label.coefficients.units).toBe(3);
    // Scores 3,3,3 | 3,4,3 | 2,2: interval α = 1 − 7·2 / (2·(5·1 + 5·2 + 1·2·4)).
    expect(score.coefficients.krippendorff_alpha_interval).toBeCloseTo(1 - 14 / 46, 6);
    expect(score.coefficients.krippendorff_alpha_nominal).toBeCloseTo(1 - 14 / 34, 6);
    const [a, b, c] = people as [{ id: number }, { id: number }, { id: number }];
    expect(s.annotators).toEqual([
      { id: a.id, name: "Ann A", email: expect.any(String), mean_agreement: 0.8, pairs: 5, tasks: 3 },
      { id: b.id, name: "Bob B", email: expect.any(String), mean_agreement: 0.7, pairs: 5, tasks: 3 },
      { id: c.id, name: "Cid C", email: expect.any(String), mean_agreement: 0.625, pairs: 4, tasks: 2 },
    ]);
    expect(s.models).toEqual([{ id: "model:v1", mean_agreement: 1, pairs: 3, tasks: 1 }]);
  });

  it("gives Fleiss' kappa when every task has the same number of raters", async () => {
    const other = await f.workflow();
    const [x, y] = (await f.items(org, other.id, 2)) as [number, number];
    const [a, b] = people as [{ id: number }, { id: number }];
    await f.annotate(org, x, a.id, [choice("cat")]);
    await f.annotate(org, x, b.id, [choice("cat")]);
    await f.annotate(org, y, a.id, [choice("cat")]);
    await f.annotate(org, y, b.id, [choice("dog")]);
    await t.services.jobs.worker.drain();
    const s = (await get(`/api/projects/${other.id}/agreement`)).body;
    // Table [[2,0],[1,1]]: P̄ = 0.5, P̄e = 0.75² + 0.25² = 0.625 → κ = −1/3.
    expect(s.dimensions[0].coefficients.fleiss_kappa).toBeCloseTo(-1 / 3, 6);
    expect(s.dimensions[1]).toMatchObject({ name: "score", mean_agreement: null, tasks: 0 });
  });

  it("exports the participant matrix over the workflow as JSON and CSV", async () => {
    const json = await get(`/api/projects/${wf.id}/agreement/matrix`);
    const [a, b, c] = people as [{ id: number }, { id: number }, { id: number }];
    expect(json.body.participants).toEqual([
      `annotator:${a.id}`,
      `annotator:${b.id}`,
      `annotator:${c.id}`,
      "model:v1",
    ]);
    expect(json.body.matrix[0]).toEqual([1, 2.5 / 3, 0.75, 1]);
    expect(json.body.matrix[1]).toEqual([2.5 / 3, 1, 0.5, 1]);
    expect(json.body.counts[0]).toEqual([0, 3, 2, 1]);
    const csv = await get(`/api/projects/${wf.id}/agreement/matrix?format=csv`);
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const lines = (csv.body as string).trim().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[3]).toBe(`${lines[3]!.split(",")[0]},0.75,0.5,1,1`);
  });

  it("answers 404 for another organization's workflow", async () => {
    const other = await t.memberSession("summary-other@x.org", "owner", "summary-other-org");
    expect((await get(`/api/projects/${wf.id}/agreement`, other)).status).toBe(404);
    expect((await get(`/api/projects/${wf.id}/agreement/matrix`, other)).status).toBe(404);
  });
});
