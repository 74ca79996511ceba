import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { fsmStateHistory, items, jobs } from "../../db/schema/index.js";
import { fsmFixtures, testOrganizations } from "../../modules/fsm/fsm-fixtures.js";
import { applyTransition } from "../../modules/fsm/transition.js";

let t: TestApp;
let cookie: string;
let orgId: number;
let otherOrgId: number;
let make: ReturnType<typeof fsmFixtures>;
let memberId: number;

beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
  ({ orgId, otherOrgId } = await testOrganizations(t.services));
  make = fsmFixtures(t.db);
  memberId = (await t.request("GET", "/api/auth/session", { cookie })).body.user.id;
});
afterAll(() => t.close());

const transition = (entity: string, id: number, body: unknown, as = cookie) =>
  t.request("POST", `/api/fsm/entities/${entity}/${id}/transition/`, { cookie: as, body });
const history = (entity: string, id: number, query = "") =>
  t.request("GET", `/api/fsm/entities/${entity}/${id}/history${query}`, { cookie });

describe("history", () => {
  let wf: number;
  let records: { id: string; state: string; created_at: string }[];

  beforeAll(async () => {
    wf = (await make.workflow(orgId)).id;
    // A system transition first, then manual ones by the member.
    await applyTransition(t.db, {
      organizationId: orgId,
      entity: "workflow",
      entityId: wf,
      transition: "start",
    });
    for (const name of ["pause", "resume", "pause", "complete", "reopen"]) {
      const response = await transition("project", wf, { transition_name: name, reason: `r-${name}` });
      expect(response.status, name).toBe(200);
    }
    records = (await history("workflow", wf)).body.results;
  });

  it("lists newest first with the LS item shape, triggered_by null for the system", async () => {
    const response = await history("workflow", wf);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ count: 6, next: null, previous: null });
    expect(response.body.results.map((r: { transition_name: string }) => r.transition_name)).toEqual([
      "reopen",
      "complete",
      "pause",
      "resume",
      "pause",
      "start",
    ]);
    const [newest] = response.body.results;
    expect(newest).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      state: "IN_PROGRESS",
      previous_state: "COMPLETED",
      transition_name: "reopen",
      triggered_by: { id: memberId, email: "admin@fleet.local" },
      reason: "r-reopen",
      context_data: { source: "manual" },
      created_at: expect.any(String),
    });
    expect(response.body.results.at(-1).triggered_by).toBeNull();
  });

  it.each([
    ["?state=paused", ["pause", "pause"]],
    ["?state=completed&previous_state=PAUSED", ["complete"]],
    ["?previous_state=Created", ["start"]],
    ["?transition_name=RESUME", ["resume"]],
    ["?transition_name=nope", []],
  ])("filters %s", async (query, expected) => {
    const response = await history("workflow", wf, query);
    expect(response.body.results.map((r: { transition_name: string }) => r.transition_name)).toEqual(
      expected,
    );
    expect(response.body.count).toBe(expected.length);
  });

  it("filters by triggered_by", async () => {
    expect((await history("workflow", wf, `?triggered_by=${memberId}`)).body.count).toBe(5);
    expect((await history("workflow", wf, `?triggered_by=${memberId + 999}`)).body.count).toBe(0);
  });

  it("orders by id or created_at, both directions", async () => {
    const ids = records.map((r) => r.id);
    for (const [ordering, expected] of [
      ["id", [...ids].reverse()],
      ["-id", ids],
      ["created_at", [...ids].reverse()],
      ["-created_at", ids],
    ] as const) {
      const response = await history("workflow", wf, `?ordering=${ordering}`);
      expect(
        response.body.results.map((r: { id: string }) => r.id),
        ordering,
      ).toEqual(expected);
    }
  });

  it("filters created_at_from/to inclusively", async () => {
    // Spread the rows over distinct days so the bounds are unambiguous.
    const rows = await t.db
      .select({ id: fsmStateHistory.id })
      .from(fsmStateHistory)
      .where(and(eq(fsmStateHistory.entityName, "workflow"), eq(fsmStateHistory.entityId, String(wf))))
      .orderBy(fsmStateHistory.id);
    for (const [i, row] of rows.entries()) {
      await t.db
        .update(fsmStateHistory)
        .set({ createdAt: new Date(Date.UTC(2026, 0, 10 + i, 12)) })
        .where(eq(fsmStateHistory.id, row.id));
    }
    const from = await history("workflow", wf, "?created_at_from=2026-01-12T12:00:00");
    expect(from.body.count).toBe(4);
    const to = await history("workflow", wf, "?created_at_to=2026-01-11T12:00:00Z");
    expect(to.body.count).toBe(2);
    const both = await history(
      "workflow",
      wf,
      "?created_at_from=2026-01-11T00:00:00&created_at_to=2026-01-13T12:00:00%2B00:00",
    );
    expect(both.body.results.map((r: { transition_name: string }) => r.transition_name)).toEqual([
      "pause",
      "resume",
      "pause",
    ]);
  });

  it("pages with page/page_size and DRF next/previous links", async () => {
    const first = await history("workflow", wf, "?page_size=4");
    expect(first.body.results).toHaveLength(4);
    expect(first.body.previous).toBeNull();
    const next = new URL(first.body.next);
    expect(next.pathname).toBe(`/api/fsm/entities/workflow/${wf}/history`);
    expect(Object.fromEntries(next.searchParams)).toEqual({ page_size: "4", page: "2" });
    const second = await history("workflow", wf, "?page_size=4&page=2");
    expect(second.body.results).toHaveLength(2);
    expect(second.body.next).toBeNull();
    expect(new URL(second.body.previous).searchParams.get("page")).toBe("1");
    expect([...first.body.results, ...second.body.results].map((r: { id: string }) => r.id)).toEqual(
      records.map((r) => r.id),
    );
    expect((await history("workflow", wf, "?page=9")).body.results).toEqual([]);
    expect((await history("workflow", wf, "?page_size=1000")).status).toBe(200);
  });

  it.each([
    "?page_size=0",
    "?page_size=1001",
    "?page=0",
    "?page=abc",
    "?ordering=state",
    "?created_at_from=yesterday",
    "?created_at_to=2026-13-45T00:00:00",
    "?triggered_by=-1",
    "?triggered_by=x",
  ])("answers 400 for %s", async (query) => {
    const response = await history("workflow", wf, query);
    expect(response.status).toBe(400);
    expect(response.body.error).toBeTruthy();
  });

  it("answers 404 for unknown entity names, missing ids and other organizations; 200 [] without rows", async () => {
    expect((await history("user", wf)).status).toBe(404);
    expect((await history("workflow", 987_654)).status).toBe(404);
    const foreign = await make.workflow(otherOrgId);
    await applyTransition(t.db, {
      organizationId: otherOrgId,
      entity: "workflow",
      entityId: foreign.id,
      transition: "start",
    });
    expect((await history("workflow", foreign.id)).status).toBe(404);
    expect((await history("workflow", 0)).status).toBe(400);
    const fresh = await make.workflow(orgId);
    expect((await history("project", fresh.id)).body).toEqual({
      count: 0,
      next: null,
      previous: null,
      results: [],
    });
  });

  it("needs a session", async () => {
    const response = await t.request("GET", `/api/fsm/entities/workflow/${wf}/history`);
    expect(response.status).toBe(401);
  });
});

describe("current state", () => {
  it("returns the state, the manual transitions allowed, every transition allowed and the last record", async () => {
    const wf = await make.workflow(orgId);
    const item = await make.item(orgId, wf.id, { state: "COMPLETED" });
    const response = await t.request("GET", `/api/fsm/entities/item/${item.id}/`, { cookie });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      entity_name: "task",
      entity_id: item.id,
      state: "COMPLETED",
      last_record: null,
    });
    expect(response.body.allowed_transitions.sort()).toEqual(["archive", "escalate"]);
    expect(response.body.available_transitions.map((a: { name: string }) => a.name).sort()).toEqual([
      "accept",
      "archive",
      "escalate",
      "reject",
      "send_to_review",
      "uncomplete",
    ]);
    expect((await t.request("GET", `/api/fsm/entities/comment/${item.id}/`, { cookie })).status).toBe(404);
  });
});

describe("manual transitions", () => {
  it("runs one: 200 with success, new_state and the state record", async () => {
    const annotator = await make.annotator(orgId, "active");
    const response = await transition("annotator", annotator.id, {
      transition_name: "pause",
      reason: "holiday",
      transition_data: { ticket: 42 },
      expected_state: "active",
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      success: true,
      new_state: "paused",
      state_record: {
        state: "paused",
        previous_state: "active",
        transition_name: "pause",
        reason: "holiday",
        context_data: { ticket: 42, source: "manual" },
        triggered_by: { id: memberId },
      },
    });
    const resumed = await transition("annotator", annotator.id, { transition_name: "resume" });
    expect(resumed.body.new_state).toBe("active");
  });

  it.each([
    ["missing transition_name", {}],
    ["empty transition_name", { transition_name: "" }],
    ["an unknown transition", { transition_name: "fly" }],
    ["an automatic-only transition", { transition_name: "activate" }],
    ["a non-object transition_data", { transition_name: "pause", transition_data: "x" }],
    ["a reason over 1000 chars", { transition_name: "pause", reason: "x".repeat(1001) }],
  ])("answers 400 for %s", async (_, body) => {
    const annotator = await make.annotator(orgId, "active");
    const response = await transition("annotator", annotator.id, body);
    expect(response.status).toBe(400);
    expect(response.body.error).toBeTruthy();
    expect((await history("annotator", annotator.id)).body.count).toBe(0);
  });

  it("answers 409 with current_state and the allowed manual transitions", async () => {
    const wf = await make.workflow(orgId);
    const item = await make.item(orgId, wf.id, { state: "CREATED" });
    const refused = await transition("task", item.id, { transition_name: "escalate" });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ current_state: "CREATED", allowed_transitions: ["archive"] });
    const stale = await transition("task", item.id, {
      transition_name: "archive",
      expected_state: "IN_PROGRESS",
    });
    expect(stale.status).toBe(409);
    expect(stale.body.current_state).toBe("CREATED");
    const archived = await transition("task", item.id, {
      transition_name: "archive",
      expected_state: "CREATED",
    });
    expect(archived.status).toBe(200);
    const again = await transition("task", item.id, { transition_name: "archive" });
    expect(again.body).toMatchObject({ current_state: "ARCHIVED", allowed_transitions: ["reopen"] });
    expect((await history("task", item.id)).body.count).toBe(1);
  });

  it("answers 404 for unknown entities and other organizations, 403 for viewers", async () => {
    const foreign = await make.annotator(otherOrgId, "active");
    expect((await transition("annotator", foreign.id, { transition_name: "pause" })).status).toBe(404);
    expect((await transition("robot", foreign.id, { transition_name: "pause" })).status).toBe(404);
    const viewer = await t.memberSession("viewer-fsm@x.org", "viewer");
    const mine = await make.annotator(orgId, "active");
    expect((await transition("annotator", mine.id, { transition_name: "pause" }, viewer)).status).toBe(403);
    expect(
      (await t.request("GET", `/api/fsm/entities/annotator/${mine.id}/history`, { cookie: viewer })).status,
    ).toBe(200);
  });

  it("runs the registered effects: a manual assignment cancel returns its items to the pool", async () => {
    const wf = await make.workflow(orgId, "IN_PROGRESS");
    const annotator = await make.annotator(orgId, "active");
    const held = await make.item(orgId, wf.id, { state: "IN_PROGRESS", assignedCount: 1 });
    const done = await make.item(orgId, wf.id, { state: "COMPLETED", assignedCount: 1 });
    const assignment = await make.assignment(orgId, wf.id, annotator.id, {
      status: "in_progress",
      taskCount: 2,
    });
    await make.assignmentTask(assignment.id, annotator.id, held.id);
    await make.assignmentTask(assignment.id, annotator.id, done.id, true);
    const response = await transition("assignment", assignment.id, {
      transition_name: "cancel",
      reason: "wrong batch",
    });
    expect(response.status).toBe(200);
    const [heldNow] = await t.db.select().from(items).where(eq(items.id, held.id));
    expect(heldNow).toMatchObject({ state: "CREATED", assignedCount: 0 });
    const [doneNow] = await t.db.select().from(items).where(eq(items.id, done.id));
    expect(doneNow).toMatchObject({ state: "COMPLETED", assignedCount: 1 });
    const removal = await t.db.select().from(jobs).where(eq(jobs.name, "assignment.remove-ls-tasks"));
    expect(removal.some((j) => (j.payload as { assignmentId: number }).assignmentId === assignment.id)).toBe(
      true,
    );
    const released = (await history("task", held.id)).body.results[0];
    expect(released).toMatchObject({ transition_name: "release", reason: "wrong batch" });
  });
});
