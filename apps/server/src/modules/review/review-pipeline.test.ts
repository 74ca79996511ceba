import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createListeningTestApp, type ListeningTestApp } from "../../../test/helpers/listening-app.js";
import { annotations, annotators, items, predictions } from "../../db/schema/index.js";
import {
  LABEL_CONFIG,
  labelResult,
  pipeline,
  REVIEW_CONFIG,
  reviewResult,
} from "../completion/pipeline-fixtures.js";

let t: ListeningTestApp;
let cookie: string;
beforeAll(async () => {
  t = await createListeningTestApp({ INSTANCE_START_TIMEOUT_SECONDS: "30", RECONCILE_INTERVAL_SECONDS: "0" });
  cookie = await t.login();
}, 60_000);
afterAll(async () => {
  await t.stop();
});

const drain = () => t.services.jobs.worker.drain();
const itemsOf = (workflowId: number) =>
  t.db.select().from(items).where(eq(items.workflowId, workflowId)).orderBy(asc(items.id));

describe("from submit to export, the next batch, review and rejection routing (embedded, simulator)", () => {
  it("annotates 10 items, exports them, chains to review, routes a reject and escalates past maxReworkIterations", async () => {
    const p = pipeline(t, cookie);
    await p.images("images/e2e/", 20);
    const labeler = await p.post("/api/roles", { name: "labeler" });
    const reviewer = await p.post("/api/roles", { name: "reviewer" });
    const labelConfig = await p.post("/api/labeling-configs", { name: "Label", configXml: LABEL_CONFIG });
    const reviewConfig = await p.post("/api/labeling-configs", { name: "Review", configXml: REVIEW_CONFIG });
    const a = await p.post("/api/workflows", {
      name: "Label",
      roleId: labeler.id,
      labelingConfigId: labelConfig.id,
      s3SourcePath: "images/e2e/",
      s3ExportPath: "exports/label",
      imagesPerProject: 10,
      shuffleImages: false,
    });
    const b = await p.post("/api/workflows", {
      name: "Review",
      roleId: reviewer.id,
      labelingConfigId: reviewConfig.id,
      previousWorkflowId: a.id,
      s3SourcePath: "unused/",
      s3ExportPath: "exports/review/",
      imagesPerProject: 10,
      rejectionMode: "route_to_workflow",
      rejectionRouteWorkflowId: a.id,
      rejectionReturnToOriginal: true,
      maxReworkIterations: 1,
    });
    await drain(); // item sync of the source prefix
    const alice = await p.startAnnotator("Alice", labeler.id);
    const rex = await p.startAnnotator("Rex", reviewer.id);
    const aliceLs = (await p.instance(alice)).client;
    const rexLs = (await p.instance(rex)).client;

    // 1. Alice's first batch: 10 items annotated through the LS API; webhooks do the rest.
    const [batch1] = await p.assignmentsOf(alice, a.id);
    expect(batch1).toMatchObject({ status: "in_progress", taskCount: 10 });
    for (const [i, task] of (await p.lsTasksOf(batch1!.id)).entries()) {
      await aliceLs.createAnnotation(task.lsTaskId, {
        result: labelResult(i % 2 ? "dog" : "cat"),
        lead_time: 2 + i,
      });
    }
    await drain();

    const done1 = (await p.assignmentsOf(alice, a.id))[0]!;
    expect(done1).toMatchObject({
      status: "completed",
      completedCount: 10,
      exportKey: `exports/label/assignment-${batch1!.id}.json`,
    });
    const exported = JSON.parse((await t.services.storage.get(done1.exportKey!)).body.toString());
    expect(exported).toHaveLength(10);
    expect(exported.flatMap((task: { annotations: unknown[] }) => task.annotations)).toHaveLength(10);
    expect(exported[1].annotations[0]).toMatchObject({
      result: labelResult("dog"),
      was_cancelled: false,
      lead_time: 3,
    });
    const manifest = JSON.parse(
      (await t.services.storage.get(`exports/label/assignment-${batch1!.id}.manifest.json`)).body.toString(),
    );
    expect(manifest).toMatchObject({
      assignmentId: batch1!.id,
      exportedTasks: 10,
      annotationCount: 10,
      skippedCount: 0,
    });
    expect(manifest.sha256).toMatch(/^[0-9a-f]{64}$/);

    // The next batch (the other 10 source items) went to Alice.
    const aliceBatches = await p.assignmentsOf(alice, a.id);
    expect(aliceBatches).toHaveLength(2);
    expect(aliceBatches[1]).toMatchObject({ status: "in_progress", taskCount: 10 });

    // The review workflow received the 10 items, each with the upstream annotation as a prediction.
    const reviewItems = await itemsOf(b.id);
    expect(reviewItems).toHaveLength(10);
    expect(reviewItems.every((i) => i.kind === "upstream" && i.originItemId !== null)).toBe(true);
    const sourceItems = (await itemsOf(a.id)).filter((i) => i.kind === "source");
    expect(sourceItems.filter((i) => i.state === "IN_REVIEW")).toHaveLength(10);
    const [rexBatch] = await p.assignmentsOf(rex, b.id);
    expect(rexBatch).toMatchObject({ status: "in_progress", taskCount: 10 });
    const rexTasks = await p.lsTasksOf(rexBatch!.id);
    // Each review task shows its upstream annotation (the batch is shuffled: match through the item).
    const [shownItem] = await t.db
      .select()
      .from(predictions)
      .where(eq(predictions.itemId, rexTasks[1]!.itemId));
    const [upstreamOfShown] = await t.db
      .select()
      .from(annotations)
      .where(eq(annotations.id, shownItem!.sourceAnnotationId!));
    expect(upstreamOfShown!.assignmentId).toBe(batch1!.id);
    const shown = await rexLs.getTask(rexTasks[1]!.lsTaskId);
    expect(shown.predictions?.[0]).toMatchObject({
      model_version: `upstream:${a.id}`,
      result: upstreamOfShown!.result,
    });

    // 2. Rex accepts 9 and rejects 1: the reject goes back to Alice in workflow A (return to original).
    for (const [i, task] of rexTasks.entries()) {
      const result = i === 0 ? reviewResult("reject", "wrong animal") : reviewResult("accept");
      await rexLs.createAnnotation(task.lsTaskId, { result });
    }
    await drain();

    const rejections = await t.request("GET", `/api/rejections?workflowId=${b.id}`, { cookie });
    expect(rejections.status).toBe(200);
    expect(rejections.body.pagination.total).toBe(1);
    const [rejection] = rejections.body.data;
    expect(rejection).toMatchObject({
      actionTaken: "route_to_workflow",
      routedToWorkflowId: a.id,
      reason: "wrong animal",
      iteration: 1,
      originalAnnotator: { id: alice },
      reviewerAnnotator: { id: rex },
    });
    const reworkItems = (await itemsOf(a.id)).filter((i) => i.kind === "rework");
    expect(reworkItems).toHaveLength(1);
    expect(reworkItems[0]).toMatchObject({ reworkIteration: 1, originItemId: rejection.itemId });
    const origin = (await itemsOf(a.id)).find((i) => i.id === rejection.itemId)!;
    expect(origin.state).toBe("REWORK");
    expect((await itemsOf(a.id)).filter((i) => i.state === "ACCEPTED")).toHaveLength(9);
    const upstreamStates = await t.db
      .select({ state: annotations.state })
      .from(annotations)
      .where(eq(annotations.assignmentId, batch1!.id));
    expect(upstreamStates.filter((s) => s.state === "ACCEPTED")).toHaveLength(9);
    expect(upstreamStates.filter((s) => s.state === "REJECTED")).toHaveLength(1);
    const counts = await t.db
      .select({
        id: annotators.id,
        rejectionCount: annotators.rejectionCount,
        reviewedCount: annotators.reviewedCount,
      })
      .from(annotators)
      .orderBy(asc(annotators.id));
    expect(counts).toEqual([
      { id: alice, rejectionCount: 1, reviewedCount: 0 },
      { id: rex, rejectionCount: 0, reviewedCount: 10 },
    ]);
    const detail = await t.request("GET", `/api/rejections/${rejection.id}`, { cookie });
    expect(detail.body).toMatchObject({
      reviewerAssignment: { id: rexBatch!.id, workflow: { id: b.id } },
      originalAssignment: { id: batch1!.id },
      routedToAssignment: { id: rejection.routedToAssignmentId, annotatorId: alice, taskCount: 1 },
    });
    // The rework task shows the rejected result to Alice.
    const [reworkTask] = await p.lsTasksOf(rejection.routedToAssignmentId);
    expect(reworkTask!.itemId).toBe(reworkItems[0]!.id);
    const reworkShown = await aliceLs.getTask(reworkTask!.lsTaskId);
    const [rejected] = await t.db
      .select()
      .from(annotations)
      .where(eq(annotations.id, rejection.annotationId));
    expect(reworkShown.predictions?.[0]).toMatchObject({
      model_version: `rejected:${b.id}`,
      result: rejected!.result,
    });

    // 3. Alice reworks; the review comes back to Rex, who rejects again: past maxReworkIterations (1).
    await aliceLs.createAnnotation(reworkTask!.lsTaskId, { result: labelResult("dog") });
    await drain();
    const rexBatches = await p.assignmentsOf(rex, b.id);
    expect(rexBatches.map((x) => [x.status, x.taskCount])).toEqual([
      ["completed", 10],
      ["in_progress", 1],
    ]);
    const [secondReview] = await p.lsTasksOf(rexBatches[1]!.id);
    await rexLs.createAnnotation(secondReview!.lsTaskId, { result: reviewResult("reject", "still wrong") });
    await drain();

    const escalated = await t.request("GET", "/api/rejections?actionTaken=escalated", { cookie });
    expect(escalated.body.data).toHaveLength(1);
    expect(escalated.body.data[0]).toMatchObject({
      iteration: 2,
      itemId: reworkItems[0]!.id,
      routedToWorkflowId: null,
    });
    const [reworkAfter] = await t.db.select().from(items).where(eq(items.id, reworkItems[0]!.id));
    expect(reworkAfter!.state).toBe("ESCALATED");
    // Not routed again: still one rework item in A, no third review item.
    expect((await itemsOf(a.id)).filter((i) => i.kind === "rework")).toHaveLength(1);
    expect(await itemsOf(b.id)).toHaveLength(11);
    const reviewPredictions = await t.db
      .select()
      .from(predictions)
      .where(and(eq(predictions.modelVersion, `upstream:${a.id}`)));
    expect(reviewPredictions).toHaveLength(11);

    // The events API merges container and annotation events, newest first.
    const events = await t.request("GET", "/api/events?limit=500", { cookie });
    expect(events.status).toBe(200);
    const types = new Set(events.body.data.map((e: { type: string }) => e.type));
    expect(types).toEqual(new Set(["container", "annotation"]));
    const times = events.body.data.map((e: { createdAt: string }) => Date.parse(e.createdAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(
      events.body.data.filter((e: { eventType: string }) => e.eventType === "review_rejected"),
    ).toHaveLength(2);
  }, 180_000);
});
