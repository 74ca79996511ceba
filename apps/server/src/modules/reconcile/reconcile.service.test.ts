import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres } from "../../../test/helpers/database.js";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { assignments } from "../../db/schema/index.js";
import { assignmentFixtures } from "../assignments/test-fixtures.js";
import { RECONCILE_LOCK_KEY } from "./reconcile.service.js";

let t: TestApp;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp({ RECONCILE_INSTANCE_TIMEOUT_MS: "500" });
  cookie = await t.login();
});
afterAll(async () => {
  await t.close();
});

/** An in-progress assignment in an instance nobody listens on (port 9, discard). */
async function unreachableAssignment() {
  const f = assignmentFixtures(t.services);
  const org = await f.organizationId();
  const workflow = await f.workflow(org);
  const annotator = await f.annotator(org, { instance: { url: "http://127.0.0.1:9", token: "tok-123456" } });
  const [row] = await t.db
    .insert(assignments)
    .values({
      organizationId: org,
      workflowId: workflow.id,
      annotatorId: annotator.id,
      lsProjectId: 7,
      taskCount: 1,
      status: "in_progress",
    })
    .returning();
  return { annotator, assignment: row! };
}

describe("POST /api/reconcile", () => {
  it("reports an unreachable instance as an error entry, not as a failed run", async () => {
    const { annotator, assignment } = await unreachableAssignment();
    const response = await t.request("POST", "/api/reconcile", { cookie });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ reconciled: 0, completed: 0 });
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        annotatorId: annotator.id,
        assignmentId: assignment.id,
        instanceUrl: "http://127.0.0.1:9",
      }),
    ]);
  });

  it("runs one at a time: a second caller in the same process gets 409", async () => {
    const org = await assignmentFixtures(t.services).organizationId();
    const first = t.services.reconcile.run(org);
    const second = await t.request("POST", "/api/reconcile", { cookie });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatch(/already in progress/);
    await first;
    expect((await t.request("POST", "/api/reconcile", { cookie })).status).toBe(200);
  });

  it.runIf(onPostgres)(
    "answers 409 while another session (another replica) holds the advisory lock",
    async () => {
      const url = new URL(process.env.TEST_DATABASE_URL!);
      const { rows } = (await t.db.execute(sql`select current_database() as name`)) as unknown as {
        rows: { name: string }[];
      };
      url.pathname = `/${rows[0]!.name}`;
      const other = new pg.Client({ connectionString: url.toString() });
      await other.connect();
      try {
        await other.query("select pg_advisory_lock($1)", [RECONCILE_LOCK_KEY]);
        expect((await t.request("POST", "/api/reconcile", { cookie })).status).toBe(409);
        await other.query("select pg_advisory_unlock($1)", [RECONCILE_LOCK_KEY]);
        expect((await t.request("POST", "/api/reconcile", { cookie })).status).toBe(200);
      } finally {
        await other.end();
      }
    },
  );

  it("is for managers and above", async () => {
    const viewer = await t.memberSession("viewer@example.com", "viewer");
    expect((await t.request("POST", "/api/reconcile", { cookie: viewer })).status).toBe(403);
  });
});
