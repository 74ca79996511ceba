import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { createJobCatalog } from "../../jobs/catalog.js";
import { createLogger } from "../../lib/logger.js";
import { agreementFixtures, choice } from "../../modules/agreement/agreement-fixtures.js";
import { createAgreementBackfillService } from "../../modules/agreement/backfill.service.js";
import { createMatrixService } from "../../modules/agreement/matrices.service.js";

let t: TestApp;
let admin: string;
let f: ReturnType<typeof agreementFixtures>;
let orgCount = 0;

const post = (body: unknown, c: string) =>
  t.request("POST", "/api/dimensions/backfill/", { cookie: c, body });
const get = (url: string, c: string) => t.request("GET", url, { cookie: c });
const drain = () => t.services.jobs.worker.drain();

/** A fresh organization with its owner's cookie, so project counts are the test's own. */
async function organization() {
  const slug = `backfill-org-${++orgCount}`;
  const cookie = await t.memberSession(`owner-${orgCount}@backfill.org`, "owner", slug);
  return { cookie, id: await f.organizationId(slug) };
}

/** A project with `tasks` items, each annotated by three annotators without any matrix stored yet. */
async function project(org: { id: number; cookie: string }, tasks = 3) {
  const wf = await f.workflow(undefined, org.cookie);
  const ids = await f.items(org.id, wf.id, tasks);
  const people = [await f.annotator(org.id), await f.annotator(org.id), await f.annotator(org.id)];
  for (const item of ids) {
    for (const [k, person] of people.entries()) {
      await f.annotate(org.id, item, person.id, [choice(k === 2 ? "dog" : "cat")], { silent: true });
    }
  }
  return { ...wf, items: ids };
}

async function storedOverall(itemIds: number[]) {
  let n = 0;
  for (const id of itemIds) n += (await f.matrixRows(id)).filter((r) => r.dimension === "").length;
  return n;
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login();
  f = agreementFixtures(t, admin);
});
afterAll(() => t.close());

describe("POST /api/dimensions/backfill/", () => {
  it.each([
    ["no field", {}],
    ["two fields", { project_id: 1, num_projects: 2 }],
    ["all three", { project_id: 1, num_projects: 2, all_projects: true }],
    ["num_projects 0", { num_projects: 0 }],
    ["all_projects false alone", { all_projects: false }],
    ["a string project id", { project_id: "1" }],
  ])("answers 400 for %s", async (_, body) => {
    const response = await post(body, admin);
    expect(response.status).toBe(400);
  });

  it("is for administrators and owners only (403), and 404 for another organization's project", async () => {
    const manager = await t.memberSession("backfill-manager@x.org", "manager");
    const viewer = await t.memberSession("backfill-viewer@x.org", "viewer");
    for (const cookie of [manager, viewer]) {
      expect((await post({ all_projects: true }, cookie)).status).toBe(403);
      expect((await get("/api/dimensions/backfill/status/", cookie)).status).toBe(403);
      expect((await get("/api/dimensions/backfill/jobs/", cookie)).status).toBe(403);
      expect((await t.request("DELETE", "/api/dimensions/backfill/", { cookie })).status).toBe(403);
    }
    const a = await organization();
    const b = await organization();
    const foreign = await project(b, 1);
    expect((await post({ project_id: foreign.id }, a.cookie)).status).toBe(404);
    expect((await get(`/api/dimensions/backfill/status/?project_id=${foreign.id}`, a.cookie)).status).toBe(
      404,
    );
    expect(
      (await t.request("DELETE", `/api/dimensions/backfill/?project_id=${foreign.id}`, { cookie: a.cookie }))
        .status,
    ).toBe(404);
    expect((await get("/api/dimensions/backfill/status/?job_id=999999", a.cookie)).status).toBe(404);
  });

  it("backfills one project: only tasks missing matrices, progress, then skips it as completed", async () => {
    const org = await organization();
    const p = await project(org, 3);
    // One task already has its matrix: the backfill must not compute it again.
    await t.services.agreement.matrices.recomputeItem(org.id, p.items[0]!);
    const trigger = await post({ project_id: p.id }, org.cookie);
    expect(trigger.status).toBe(201);
    expect(trigger.body).toEqual({
      jobs: [{ job_id: expect.any(Number), rq_job_id: expect.any(String), project_id: p.id }],
      jobs_queued: 1,
      message: expect.any(String),
      organization_id: org.id,
      projects_remaining: 0,
      projects_skipped: 0,
    });
    const queued = await get(
      `/api/dimensions/backfill/status/?job_id=${trigger.body.jobs[0].job_id}`,
      org.cookie,
    );
    expect(queued.body).toMatchObject({
      status: "QUEUED",
      project_id: p.id,
      triggered_by: { email: "owner-3@backfill.org" },
    });
    await drain();
    const done = await get(`/api/dimensions/backfill/status/?project_id=${p.id}`, org.cookie);
    // Two tasks × (overall + label + score) rows.
    expect(done.body).toMatchObject({
      status: "COMPLETED",
      started_at: expect.any(String),
      completed_at: expect.any(String),
      progress_data: { matrices_created: 6, tasks_processed: 2, tasks_total: 2, errors: 0 },
    });
    expect(await storedOverall(p.items)).toBe(3);
    const again = await post({ project_id: p.id }, org.cookie);
    expect(again.body).toMatchObject({ jobs_queued: 0, projects_skipped: 1 });
  });

  it("batched mode queues the next N not-started projects by id, leaves in-flight jobs alone, counts what remains", async () => {
    const org = await organization();
    const projects = [
      await project(org, 1),
      await project(org, 1),
      await project(org, 1),
      await project(org, 1),
    ];
    await post({ project_id: projects[0]!.id }, org.cookie);
    await drain();
    const first = await post({ num_projects: 2 }, org.cookie);
    expect(first.body).toMatchObject({ jobs_queued: 2, projects_remaining: 1, projects_skipped: 1 });
    expect(first.body.jobs.map((j: { project_id: number }) => j.project_id)).toEqual([
      projects[1]!.id,
      projects[2]!.id,
    ]);
    // The two jobs are still queued: a second call leaves them alone and takes the last project.
    const second = await post({ num_projects: 2 }, org.cookie);
    expect(second.body).toMatchObject({ jobs_queued: 1, projects_remaining: 0, projects_skipped: 1 });
    expect(second.body.jobs[0].project_id).toBe(projects[3]!.id);
    const third = await post({ num_projects: 5 }, org.cookie);
    expect(third.body).toMatchObject({ jobs_queued: 0, projects_remaining: 0 });
    const aggregate = await get("/api/dimensions/backfill/status/", org.cookie);
    expect(aggregate.body.org_status).toMatchObject({
      total_projects: 4,
      completed_projects: 1,
      pending_projects: 3,
    });
    await drain();
    const after = await get("/api/dimensions/backfill/status/", org.cookie);
    expect(after.body.org_status).toMatchObject({
      completed_projects: 4,
      pending_projects: 0,
      total_matrices_created: 12,
    });
  });

  it("full mode cancels in-flight jobs and queues every project not completed", async () => {
    const org = await organization();
    const [done, inFlight, fresh] = [await project(org, 1), await project(org, 1), await project(org, 1)];
    await post({ project_id: done.id }, org.cookie);
    await drain();
    const queued = await post({ project_id: inFlight.id }, org.cookie);
    const full = await post({ all_projects: true }, org.cookie);
    expect(full.status).toBe(201);
    expect(full.body).toMatchObject({ jobs_queued: 2, projects_skipped: 1, projects_remaining: 0 });
    expect(full.body.jobs.map((j: { project_id: number }) => j.project_id)).toEqual([inFlight.id, fresh.id]);
    const cancelled = await get(
      `/api/dimensions/backfill/status/?job_id=${queued.body.jobs[0].job_id}`,
      org.cookie,
    );
    expect(cancelled.body).toMatchObject({ status: "FAILED", error_message: "Cancelled" });
    await drain();
    expect(await storedOverall([...inFlight.items, ...fresh.items])).toBe(2);
    const list = await get("/api/dimensions/backfill/jobs/?status=FAILED", org.cookie);
    expect(list.body.map((j: { job_id: number }) => j.job_id)).toEqual([queued.body.jobs[0].job_id]);
    const all = await get("/api/dimensions/backfill/jobs/?page_size=2", org.cookie);
    expect(all.headers.get("x-total-count")).toBe("4");
    expect(all.body).toHaveLength(2);
    expect(all.body[0].job_id).toBeGreaterThan(all.body[1].job_id);
    expect((await get("/api/dimensions/backfill/jobs/?status=DONE", org.cookie)).status).toBe(400);
  });

  it("cancels a queued job at once and a running one at its next batch; resumes after a restart without counting twice", async () => {
    const org = await organization();
    const p = await project(org, 5);
    // A second runner with batches of 2 items stands for a worker that dies after one batch.
    const catalog = createJobCatalog();
    const jobs = { catalog, send: t.services.jobs.send };
    const small = createMatrixService({ db: t.db, jobs, log: createLogger("silent"), batchSize: 2 });
    const crashing = createAgreementBackfillService({ db: t.db, jobs, matrices: small });

    const trigger = await post({ project_id: p.id }, org.cookie);
    const jobId = trigger.body.jobs[0].job_id as number;
    expect(await crashing.run(jobId, { maxBatches: 1 })).toBe("paused");
    const half = await get(`/api/dimensions/backfill/status/?job_id=${jobId}`, org.cookie);
    expect(half.body).toMatchObject({
      status: "RUNNING",
      progress_data: { tasks_processed: 2, tasks_total: 5 },
    });
    await drain();
    const resumed = await get(`/api/dimensions/backfill/status/?job_id=${jobId}`, org.cookie);
    expect(resumed.body).toMatchObject({
      status: "COMPLETED",
      progress_data: { tasks_processed: 5, matrices_created: 15, tasks_total: 5 },
    });
    expect(await storedOverall(p.items)).toBe(5);

    const other = await project(org, 4);
    const running = (await post({ project_id: other.id }, org.cookie)).body.jobs[0].job_id as number;
    await crashing.run(running, { maxBatches: 1 });
    const cancel = await t.request("DELETE", `/api/dimensions/backfill/?job_id=${running}`, {
      cookie: org.cookie,
    });
    expect(cancel.body).toMatchObject({ cancelled_count: 1 });
    await drain();
    expect((await get(`/api/dimensions/backfill/status/?job_id=${running}`, org.cookie)).body).toMatchObject({
      status: "FAILED",
      error_message: "Cancelled",
      progress_data: { tasks_processed: 2 },
    });
    const third = await project(org, 1);
    await post({ project_id: third.id }, org.cookie);
    const byProject = await t.request("DELETE", `/api/dimensions/backfill/?project_id=${third.id}`, {
      cookie: org.cookie,
    });
    expect(byProject.body).toMatchObject({ cancelled_count: 1 });
    const nothing = await t.request("DELETE", "/api/dimensions/backfill/", { cookie: org.cookie });
    expect(nothing.body).toMatchObject({ cancelled_count: 0 });
    expect(
      (await t.request("DELETE", "/api/dimensions/backfill/?job_id=999999", { cookie: org.cookie })).status,
    ).toBe(404);
  });
});
