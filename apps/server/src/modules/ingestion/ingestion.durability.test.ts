import { eq, sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres } from "../../../test/helpers/database.js";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { annotationEvents, annotations, assignments } from "../../db/schema/index.js";
import { assignmentFixtures } from "../assignments/test-fixtures.js";

// PostgreSQL only: PGlite runs in-process and cannot lose its server connection.
describe.runIf(onPostgres)("webhook ingestion across a database restart", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("keeps every event it acknowledged when the server drops all connections mid-run", async () => {
    const N = 240;
    const { annotator, assignment, secret } = await assignmentFixtures(t.services).deliveredBatch({
      tasks: N,
      lsProjectId: 9,
      lsTaskBase: 5000,
    });
    const headers = {
      "x-annotator-id": String(annotator.id),
      "x-webhook-secret": secret,
    };
    const { rows: dbRows } = (await t.db.execute(sql`select current_database() as name`)) as unknown as {
      rows: { name: string }[];
    };
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();

    const acknowledged: number[] = [];
    const statuses = new Map<number, number>();
    const send = async (i: number) => {
      const lsAnnotationId = 100_000 + i;
      const response = await t.request("POST", "/api/webhook", {
        headers,
        body: {
          action: "ANNOTATION_CREATED",
          annotation: {
            id: lsAnnotationId,
            task: 5000 + i,
            project: 9,
            result: [],
            lead_time: 1,
            created_at: "2026-01-01T00:00:00Z",
            updated_at: "2026-01-01T00:00:00Z",
          },
          project: { id: 9 },
        },
      });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 200) acknowledged.push(lsAnnotationId);
    };
    let terminated = 0;
    for (let start = 0; start < N; start += 8) {
      const batch = Array.from({ length: Math.min(8, N - start) }, (_, k) => send(start + k));
      if (start === 80 || start === 160) {
        // "Restart": every server process of this database goes away while requests are in flight.
        const killed = await admin.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
          [dbRows[0]!.name],
        );
        terminated += killed.rowCount ?? 0;
      }
      await Promise.all(batch);
    }
    await admin.end();

    expect(terminated).toBeGreaterThan(0);
    expect(acknowledged.length).toBeGreaterThan(N / 2);
    // What failed failed loudly (LS drops it; reconcile repairs), never as a 4xx.
    expect([...statuses.keys()].every((s) => s === 200 || s >= 500)).toBe(true);
    const events = await t.db
      .select({ id: annotationEvents.lsAnnotationId })
      .from(annotationEvents)
      .where(eq(annotationEvents.annotatorId, annotator.id));
    const stored = new Set(events.map((e) => e.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    const annotated = await t.db
      .select({ id: annotations.lsAnnotationId })
      .from(annotations)
      .where(eq(annotations.annotatorId, annotator.id));
    expect(annotated.length).toBe(stored.size);
    const [progress] = await t.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    expect(progress!.completedCount).toBe(stored.size);
  }, 120_000);
});
