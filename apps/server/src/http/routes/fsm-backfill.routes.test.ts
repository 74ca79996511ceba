import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { fsmStateHistory } from "../../db/schema/index.js";
import { fsmFixtures, testOrganizations } from "../../modules/fsm/fsm-fixtures.js";
import { findCurrentState, recordCreation } from "../../modules/fsm/transition.js";

let t: TestApp;
let cookie: string;
let orgId: number;
let otherOrgId: number;
let make: ReturnType<typeof fsmFixtures>;

beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
  ({ orgId, otherOrgId } = await testOrganizations(t.services));
  make = fsmFixtures(t.db);
});
afterAll(() => t.close());

const historyCount = async (entity: string, id: number) =>
  (
    await t.db
      .select()
      .from(fsmStateHistory)
      .where(and(eq(fsmStateHistory.entityName, entity), eq(fsmStateHistory.entityId, String(id))))
  ).length;

/** Test-only corruption: the FSM scan test allows raw status writes in test files. */
const corrupt = (table: string, column: string, id: number, value: string) =>
  t.db.execute(
    sql`update ${sql.identifier(table)} set ${sql.identifier(column)} = ${value} where id = ${id}`,
  );

describe("state backfill", () => {
  it("restores deleted history rows and corrupted states, and is idempotent", async () => {
    const wf = await make.workflow(orgId, "CREATED");
    const annotator = await make.annotator(orgId, "active");
    const full = await make.assignment(orgId, wf.id, annotator.id, {
      taskCount: 2,
      completedCount: 2,
      lsProjectId: 5,
      status: "in_progress",
    });
    const partial = await make.assignment(orgId, wf.id, annotator.id, {
      taskCount: 2,
      completedCount: 1,
      lsProjectId: 6,
      status: "in_progress",
    });
    const annotated = await make.item(orgId, wf.id, { state: "COMPLETED" });
    const held = await make.item(orgId, wf.id, { state: "IN_PROGRESS" });
    const idle = await make.item(orgId, wf.id, { state: "CREATED" });
    await make.assignmentTask(partial.id, annotator.id, held.id);
    const annotation = await make.annotation(orgId, annotated.id, annotator.id);
    for (const [entity, id, state] of [
      ["workflow", wf.id, "CREATED"],
      ["annotator", annotator.id, "active"],
      ["assignment", full.id, "in_progress"],
      ["assignment", partial.id, "in_progress"],
      ["annotation", annotation.id, "CREATED"],
    ] as const) {
      await recordCreation(t.db, { organizationId: orgId, entity, entityId: id, state });
    }
    // Corrupt: history gone for some, wrong stored states for others.
    await t.db.delete(fsmStateHistory).where(eq(fsmStateHistory.entityName, "annotation"));
    await t.db.delete(fsmStateHistory).where(eq(fsmStateHistory.entityName, "annotator"));
    await corrupt("assignments", "status", partial.id, "completed");
    await corrupt("items", "state", held.id, "CREATED");
    await corrupt("items", "state", idle.id, "BOGUS");
    await corrupt("annotators", "status", annotator.id, "zombie");

    const trigger = await t.request("POST", "/api/fsm/backfill/", { cookie });
    expect(trigger.status).toBe(201);
    expect(trigger.body).toMatchObject({
      organization_id: orgId,
      projects_skipped: 0,
      message: "State backfill queued",
    });
    expect(trigger.body.jobs.map((j: { project_id: number | null }) => j.project_id)).toEqual([wf.id, null]);
    expect(trigger.body.jobs_queued).toBe(2);
    await t.services.jobs.worker.drain();

    expect(await findCurrentState(t.db, orgId, "workflow", wf.id)).toBe("IN_PROGRESS");
    expect(await findCurrentState(t.db, orgId, "assignment", full.id)).toBe("completed");
    expect(await findCurrentState(t.db, orgId, "assignment", partial.id)).toBe("in_progress");
    expect(await findCurrentState(t.db, orgId, "task", annotated.id)).toBe("COMPLETED");
    expect(await findCurrentState(t.db, orgId, "task", held.id)).toBe("IN_PROGRESS");
    expect(await findCurrentState(t.db, orgId, "task", idle.id)).toBe("CREATED");
    expect(await findCurrentState(t.db, orgId, "annotator", annotator.id)).toBe("created");
    for (const [entity, id] of [
      ["annotation", annotation.id],
      ["annotator", annotator.id],
      ["task", annotated.id],
      ["task", held.id],
      ["task", idle.id],
    ] as const) {
      expect(await historyCount(entity, id), `${entity} ${id}`).toBe(1);
    }
    const fixed = await t.request("GET", `/api/fsm/entities/assignment/${partial.id}/history`, { cookie });
    expect(fixed.body.results[0]).toMatchObject({
      state: "in_progress",
      previous_state: "completed",
      transition_name: "backfill",
      triggered_by: null,
    });
    const restored = await t.request("GET", `/api/fsm/entities/annotation/${annotation.id}/history`, {
      cookie,
    });
    expect(restored.body.results).toMatchObject([
      { state: "CREATED", previous_state: null, transition_name: "backfill" },
    ]);

    const status = await t.request("GET", `/api/fsm/backfill/status/?project_id=${wf.id}`, { cookie });
    expect(status.body).toMatchObject({
      status: "COMPLETED",
      project_id: wf.id,
      rq_job_info: { status: "completed" },
    });
    // workflow 1 + assignments 2 + items 3 + annotation 1
    expect(status.body.progress).toMatchObject({ total_entities_processed: 7, successful_projects: 1 });

    // Idempotent: a second run writes nothing.
    const before = (await t.db.select({ n: sql<number>`count(*)` }).from(fsmStateHistory))[0]!.n;
    expect((await t.request("POST", "/api/fsm/backfill/", { cookie })).body.jobs_queued).toBe(2);
    await t.services.jobs.worker.drain();
    const after = (await t.db.select({ n: sql<number>`count(*)` }).from(fsmStateHistory))[0]!.n;
    expect(Number(after)).toBe(Number(before));
  });

  it("skips scopes with an active job, pages the job list, reports status and the organization aggregate", async () => {
    const wf = await make.workflow(orgId);
    const first = await t.request("POST", `/api/fsm/backfill/?project_id=${wf.id}`, { cookie });
    expect(first.body.jobs_queued).toBe(1);
    const second = await t.request("POST", `/api/fsm/backfill/?project_id=${wf.id}`, { cookie });
    expect(second.body).toMatchObject({ jobs_queued: 0, projects_skipped: 1, jobs: [] });
    const jobId = first.body.jobs[0].job_id;
    const byJob = await t.request("GET", `/api/fsm/backfill/status/?job_id=${jobId}`, { cookie });
    expect(byJob.body).toMatchObject({
      job_id: jobId,
      status: "QUEUED",
      triggered_by: { email: "admin@fleet.local" },
    });

    const list = await t.request("GET", "/api/fsm/backfill/jobs/?limit=2", { cookie });
    const total = Number(list.headers.get("x-total-count"));
    expect(total).toBeGreaterThanOrEqual(5);
    expect(list.body.jobs).toHaveLength(2);
    expect(list.body.jobs[0].job_id).toBe(jobId);
    expect(list.body.pagination).toEqual({ total, limit: 2, offset: 0, hasMore: true });
    const rest = await t.request("GET", `/api/fsm/backfill/jobs/?limit=500&offset=2`, { cookie });
    expect(rest.body.jobs).toHaveLength(total - 2);
    expect((await t.request("GET", "/api/fsm/backfill/jobs/", { cookie })).body.jobs.length).toBe(
      Math.min(total, 10),
    );
    for (const query of ["limit=0", "limit=501", "offset=-1"]) {
      expect((await t.request("GET", `/api/fsm/backfill/jobs/?${query}`, { cookie })).status).toBe(400);
    }

    const aggregate = await t.request("GET", "/api/fsm/backfill/status/", { cookie });
    expect(aggregate.body.org_status).toMatchObject({
      total_projects: 2,
      completed_projects: 1,
      pending_projects: 1,
      running_projects: 0,
      failed_projects: 0,
    });
    await t.services.jobs.worker.drain();
    const done = await t.request("GET", "/api/fsm/backfill/status/", { cookie });
    expect(done.body.org_status).toMatchObject({ completed_projects: 2, pending_projects: 0 });
    expect(done.body.org_status.total_entities_processed).toBeGreaterThanOrEqual(8);
  });

  it("cancels queued jobs at once and running ones at their next batch", async () => {
    const wf = await make.workflow(orgId);
    const queued = (await t.request("POST", `/api/fsm/backfill/?project_id=${wf.id}`, { cookie })).body
      .jobs[0].job_id;
    const cancel = await t.request("DELETE", `/api/fsm/backfill/?job_id=${queued}`, { cookie });
    expect(cancel.status).toBe(200);
    expect(cancel.body.cancelled_count).toBe(1);
    await t.services.jobs.worker.drain();
    const status = await t.request("GET", `/api/fsm/backfill/status/?job_id=${queued}`, { cookie });
    expect(status.body).toMatchObject({ status: "CANCELLED", completed_at: expect.any(String) });
    expect(status.body.progress.total_entities_processed).toBe(0);
    expect((await t.request("DELETE", `/api/fsm/backfill/?job_id=${queued}`, { cookie })).status).toBe(400);

    // Running: one batch done (as a crash would leave it), then cancelled, then resumed by the worker.
    const running = (await t.request("POST", `/api/fsm/backfill/?project_id=${wf.id}`, { cookie })).body
      .jobs[0].job_id;
    expect(await t.services.fsm.backfill.run(running, { maxBatches: 1 })).toBe("paused");
    const mid = await t.request("GET", `/api/fsm/backfill/status/?job_id=${running}`, { cookie });
    expect(mid.body.status).toBe("RUNNING");
    const flagged = await t.request("DELETE", `/api/fsm/backfill/?project_id=${wf.id}`, { cookie });
    expect(flagged.body.cancelled_count).toBe(1);
    expect(
      (await t.request("GET", `/api/fsm/backfill/status/?job_id=${running}`, { cookie })).body,
    ).toMatchObject({
      status: "RUNNING",
      cancel_requested: true,
    });
    await t.services.jobs.worker.drain();
    const end = await t.request("GET", `/api/fsm/backfill/status/?job_id=${running}`, { cookie });
    expect(end.body.status).toBe("CANCELLED");
    expect(end.body.progress.total_entities_processed).toBe(1);

    const none = await t.request("DELETE", "/api/fsm/backfill/", { cookie });
    expect(none.body.cancelled_count).toBe(0);
  });

  it("answers 403 below admin, 404 for other organizations' projects and jobs, 400 for bad ids", async () => {
    const manager = await t.memberSession("manager-backfill@x.org", "manager");
    for (const [method, url] of [
      ["POST", "/api/fsm/backfill/"],
      ["DELETE", "/api/fsm/backfill/"],
      ["GET", "/api/fsm/backfill/jobs/"],
      ["GET", "/api/fsm/backfill/status/"],
    ] as const) {
      expect((await t.request(method, url, { cookie: manager })).status, `${method} ${url}`).toBe(403);
    }
    const foreign = await make.workflow(otherOrgId);
    expect((await t.request("POST", `/api/fsm/backfill/?project_id=${foreign.id}`, { cookie })).status).toBe(
      404,
    );
    expect(
      (await t.request("DELETE", `/api/fsm/backfill/?project_id=${foreign.id}`, { cookie })).status,
    ).toBe(404);
    expect((await t.request("DELETE", "/api/fsm/backfill/?job_id=999999", { cookie })).status).toBe(404);
    expect((await t.request("GET", "/api/fsm/backfill/status/?job_id=999999", { cookie })).status).toBe(404);
    expect(
      (await t.request("GET", `/api/fsm/backfill/status/?project_id=${foreign.id}`, { cookie })).status,
    ).toBe(404);
    for (const query of ["project_id=0", "project_id=x", "project_id=99999999999"]) {
      expect((await t.request("POST", `/api/fsm/backfill/?${query}`, { cookie })).status, query).toBe(400);
    }
  });
});
