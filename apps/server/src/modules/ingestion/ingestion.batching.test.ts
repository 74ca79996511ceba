import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import {
  annotationEvents,
  annotations,
  assignments,
  assignmentTasks,
  fsmStateHistory,
  jobs,
  organizations,
} from "../../db/schema/index.js";
import type { LsWebhookEvent } from "../../labelstudio/webhook-payload.js";
import { assignmentFixtures } from "../assignments/test-fixtures.js";

const TASKS = 24;
const LS_PROJECT = 7;

/** An ANNOTATION_CREATED / _UPDATED webhook as the fast parser hands it to the service. */
function event(
  action: "ANNOTATION_CREATED" | "ANNOTATION_UPDATED",
  id: number,
  task: number,
  updatedAt: string,
) {
  return {
    action,
    projectId: LS_PROJECT,
    annotations: [
      {
        id,
        task,
        project: LS_PROJECT,
        completed_by: 1,
        result: [{ from_name: "label", to_name: "image", type: "choices", value: { choices: [updatedAt] } }],
        was_cancelled: false,
        lead_time: 2,
        created_at: "2026-01-01T00:00:00Z",
        updated_at: updatedAt,
      },
    ],
    tasks: [],
    deletedAnnotationIds: null,
    deletedTaskIds: null,
  } as unknown as LsWebhookEvent;
}

// Group commit (upsert-batcher.ts + upsert-statement.ts): many webhooks in one statement must leave
// exactly what one statement per webhook leaves. Runs on PGlite and on PostgreSQL.
describe("webhooks written in batches", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("stores concurrent webhooks, their duplicates and updates exactly as one by one would", async () => {
    const {
      organizationId: org,
      annotator,
      assignment,
      secret,
    } = await assignmentFixtures(t.services).deliveredBatch({
      tasks: TASKS,
      lsProjectId: LS_PROJECT,
      lsTaskBase: 900,
    });
    const send = (e: LsWebhookEvent) => t.services.ingestion.ingestWebhook(annotator.id, secret, e);
    // With the secret cached, authentication does not reorder the calls: they reach the batcher in
    // the order they are made (a cold cache reads the database once per call, in any order).
    await t.services.ingestion.authenticate(annotator.id, secret);

    // All at once: every task annotated, every 4th webhook sent twice, and two later edits of
    // annotation 0 (same annotation as its creation: they may not share a statement with it).
    const created = Array.from({ length: TASKS }, (_, i) =>
      event("ANNOTATION_CREATED", 500 + i, 900 + i, "2026-01-01T00:00:00Z"),
    );
    const copies = created.filter((_, i) => i % 4 === 0);
    const edits = [
      event("ANNOTATION_UPDATED", 500, 900, "2026-01-01T00:05:00Z"),
      event("ANNOTATION_UPDATED", 500, 900, "2026-01-01T00:09:00Z"),
    ];
    const before = await t.services.metrics.webhookBatchSize.get();
    const outcomes = await Promise.all([...created, ...copies, ...edits].map(send));

    expect(outcomes.slice(0, TASKS).every((o) => o.outcome === "ingested")).toBe(true);
    expect(outcomes.slice(TASKS, TASKS + copies.length).every((o) => o.outcome === "duplicate")).toBe(true);
    expect(outcomes.slice(TASKS + copies.length).map((o) => o.outcome)).toEqual(["ingested", "ingested"]);
    // Batching did happen: fewer statements than webhooks.
    const after = await t.services.metrics.webhookBatchSize.get();
    const count = (m: typeof after) => m.values.find((v) => v.metricName?.endsWith("_count"))?.value ?? 0;
    const sum = (m: typeof after) => m.values.find((v) => v.metricName?.endsWith("_sum"))?.value ?? 0;
    const statements = count(after) - count(before);
    expect(sum(after) - sum(before)).toBe(outcomes.length);
    expect(statements).toBeLessThan(outcomes.length);

    const events = await t.db
      .select()
      .from(annotationEvents)
      .where(eq(annotationEvents.annotatorId, annotator.id));
    expect(events).toHaveLength(TASKS + edits.length);
    const stored = await t.db.select().from(annotations).where(eq(annotations.annotatorId, annotator.id));
    expect(stored).toHaveLength(TASKS);
    // The last edit wins, whatever batch each landed in.
    const first = stored.find((a) => a.lsAnnotationId === 500)!;
    expect(first.result).toEqual([
      { from_name: "label", to_name: "image", type: "choices", value: { choices: ["2026-01-01T00:09:00Z"] } },
    ]);
    const tasks = await t.db
      .select()
      .from(assignmentTasks)
      .where(eq(assignmentTasks.assignmentId, assignment.id));
    expect(tasks.every((task) => task.isDone)).toBe(true);
    const [progress] = await t.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    expect(progress!.completedCount).toBe(TASKS);
    const history = await t.db
      .select()
      .from(fsmStateHistory)
      .where(and(eq(fsmStateHistory.entityName, "annotation"), eq(fsmStateHistory.transitionName, "create")));
    expect(new Set(history.map((h) => h.entityId))).toEqual(new Set(stored.map((a) => String(a.id))));
    const queued = await t.db.select().from(jobs);
    expect(queued.filter((j) => j.name === "annotation.changed")).toHaveLength(TASKS + edits.length);
    expect(queued.filter((j) => j.name === "assignment.complete")).toHaveLength(1);

    // History and annotations carry no key to organizations (hot path); deleting the organization
    // still removes them (annotations through their items, history through a trigger: migration 0009).
    await t.db.execute(sql`delete from assignment_tasks where assignment_id = ${assignment.id}`);
    await t.db.execute(sql`delete from assignments where organization_id = ${org}`);
    await t.db.execute(sql`delete from workflows where organization_id = ${org}`);
    await t.db.execute(sql`delete from annotators where organization_id = ${org}`);
    await t.db.delete(organizations).where(eq(organizations.id, org));
    expect(await t.db.select().from(fsmStateHistory).where(eq(fsmStateHistory.organizationId, org))).toEqual(
      [],
    );
    expect(await t.db.select().from(annotations).where(eq(annotations.organizationId, org))).toEqual([]);
  });
});
