import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createListeningTestApp, type ListeningTestApp } from "../../../test/helpers/listening-app.js";
import { annotationEvents, containerEvents, goldResults } from "../../db/schema/index.js";
import { LABEL_CONFIG, labelResult, PNG, pipeline } from "../completion/pipeline-fixtures.js";

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
const get = async (path: string) => {
  const response = await t.request("GET", path, { cookie });
  expect(response.status, `GET ${path}`).toBe(200);
  return response.body;
};
const hourOf = (d: Date) => Math.floor(d.getTime() / 3_600_000);

describe("gold scoring, the quality gate and monitoring through the simulator", () => {
  it("scores gold, pauses a weak annotator, and reports every monitoring number", async () => {
    const p = pipeline(t, cookie);
    await p.images("images/speed/", 4);
    for (let i = 1; i <= 3; i++) await t.services.storage.put(`gold/g${i}.png`, PNG, "image/png");
    const goldRole = await p.post("/api/roles", { name: "gold-labeler" });
    const speedRole = await p.post("/api/roles", { name: "labeler" });
    const config = await p.post("/api/labeling-configs", { name: "Cats", configXml: LABEL_CONFIG });
    for (let i = 1; i <= 3; i++) {
      await p.post("/api/gold-tasks", {
        name: `Gold - Cat ${i}`,
        s3ImageKey: `gold/g${i}.png`,
        expectedLabels: labelResult("cat"),
        labelingConfigId: config.id,
      });
    }
    // Alice's workflow has no source items: her onboarding batch is all she can get.
    const goldFlow = await p.post("/api/workflows", {
      name: "Onboarding",
      roleId: goldRole.id,
      labelingConfigId: config.id,
      s3SourcePath: "images/none/",
      s3ExportPath: "exports/gold/",
      imagesPerProject: 10,
    });
    const gate = await t.request("PUT", `/api/workflows/${goldFlow.id}/quality-gate`, {
      cookie,
      body: { qualityGate: { minEvaluations: 3, threshold: 0.7, onboardingGoldTasks: 3 } },
    });
    expect(gate.body).toEqual({ qualityGate: { minEvaluations: 3, threshold: 0.7, onboardingGoldTasks: 3 } });
    const speedFlow = await p.post("/api/workflows", {
      name: "Speed",
      roleId: speedRole.id,
      labelingConfigId: config.id,
      s3SourcePath: "images/speed/",
      s3ExportPath: "exports/speed/",
      imagesPerProject: 4,
      shuffleImages: false,
    });
    await drain(); // item syncs
    const alice = await p.startAnnotator("Alice", goldRole.id);
    const bob = await p.startAnnotator("Bob", speedRole.id);
    await drain();

    // Onboarding: Alice's first batch is the three gold items only.
    const [onboarding] = await p.assignmentsOf(alice, goldFlow.id);
    expect(onboarding).toMatchObject({ status: "in_progress", taskCount: 3, goldTaskCount: 3 });
    const [speed] = await p.assignmentsOf(bob, speedFlow.id);
    expect(speed).toMatchObject({ status: "in_progress", taskCount: 4, goldTaskCount: 0 });
    expect((await get("/api/monitoring")).inProgressAssignments).toBe(2);

    // Alice: one right answer out of three; Bob: four answers, one in each lead-time bucket.
    const aliceLs = (await p.instance(alice)).client;
    const aliceTasks = await p.lsTasksOf(onboarding!.id);
    for (const [i, [answer, seconds]] of (
      [
        ["cat", 5],
        ["dog", 20],
        ["dog", 45],
      ] as const
    ).entries()) {
      await aliceLs.createAnnotation(aliceTasks[i]!.lsTaskId, {
        result: labelResult(answer),
        lead_time: seconds,
      });
    }
    const bobLs = (await p.instance(bob)).client;
    const bobTasks = await p.lsTasksOf(speed!.id);
    const bobAnnotations = [];
    for (const [i, seconds] of [3, 12, 35, 75].entries()) {
      bobAnnotations.push(
        await bobLs.createAnnotation(bobTasks[i]!.lsTaskId, {
          result: labelResult("dog"),
          lead_time: seconds,
        }),
      );
    }
    await drain();
    // An edit is an event too, but not an annotation made.
    await bobLs.updateAnnotation(bobAnnotations[0]!.id, { result: labelResult("cat"), lead_time: 99 });
    await drain();

    // Gold scores: 1, 0, 0 → accuracy 1/3, below 0.7 after 3 evaluations → paused.
    // Scoring jobs run concurrently: compare the scores as a set.
    const scores = await t.db
      .select({ score: goldResults.score, workflowId: goldResults.workflowId })
      .from(goldResults)
      .where(eq(goldResults.annotatorId, alice));
    expect(scores.map((s) => s.score).sort()).toEqual([0, 0, 1]);
    expect(scores.every((s) => s.workflowId === goldFlow.id)).toBe(true);
    const quality = await get("/api/quality");
    expect(quality).toMatchObject({
      overallAccuracy: expect.closeTo(1 / 3, 6),
      accuracyThreshold: 0.7,
      belowThresholdCount: 1,
      reworkRate: 0,
      annotatorScores: [
        {
          annotatorId: alice,
          annotatorName: "Alice",
          accuracy: expect.closeTo(1 / 3, 6),
          evaluationCount: 3,
          rejectionCount: 0,
          reviewedCount: 0,
          rejectionRate: 0,
        },
      ],
      recentRejections: [],
    });
    expect(quality.recentEvaluations).toHaveLength(3);
    expect(quality.recentEvaluations.map((e: { score: number }) => e.score).sort()).toEqual([0, 0, 1]);
    expect(quality.recentEvaluations[0]).toMatchObject({
      annotatorName: "Alice",
      goldTaskName: expect.stringMatching(/^Gold - Cat \d$/),
    });
    expect((await get(`/api/quality?workflowId=${speedFlow.id}`)).annotatorScores).toEqual([]);

    expect((await get(`/api/annotators/${alice}/status`)).status).toBe("paused");
    const events = await t.db
      .select()
      .from(containerEvents)
      .where(
        and(eq(containerEvents.annotatorId, alice), eq(containerEvents.eventType, "quality_gate_paused")),
      );
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toMatchObject({ workflowId: goldFlow.id, evaluations: 3, threshold: 0.7 });
    const fsm = await get(`/api/fsm/entities/annotator/${alice}/`);
    expect(fsm).toMatchObject({ state: "paused", last_record: { transition_name: "pause" } });
    // Paused: no new batch, even when asked for.
    const refused = await t.request("POST", `/api/workflows/${goldFlow.id}/assign`, {
      cookie,
      body: { annotatorId: alice },
    });
    expect(refused.status).toBe(400);

    // Monitoring, by hand: 7 annotations today (the edit is not one), one per bucket for Bob.
    const overview = await get("/api/monitoring?tz=UTC");
    expect(overview).toMatchObject({ activeAnnotators: 1, todayAnnotations: 7, inProgressAssignments: 0 });
    expect(overview.annotationsPerHour).toHaveLength(24);
    expect(overview.annotationsPerHour.reduce((n: number, h: { count: number }) => n + h.count, 0)).toBe(7);
    expect(overview.annotatorSummaries).toEqual([
      { id: alice, name: "Alice", todayCount: 3, avgTimeMs: 23_333, completionRate: 1 },
      { id: bob, name: "Bob", todayCount: 4, avgTimeMs: 31_250, completionRate: 1 },
    ]);
    const bobEvents = await t.db
      .select({ createdAt: annotationEvents.createdAt, type: annotationEvents.eventType })
      .from(annotationEvents)
      .where(eq(annotationEvents.annotatorId, bob));
    const activeHours = new Set(
      bobEvents.filter((e) => e.type === "annotation_created").map((e) => hourOf(e.createdAt)),
    );
    const detail = await get(`/api/monitoring/annotator/${bob}`);
    expect(detail).toMatchObject({
      annotator: { id: bob, name: "Bob", status: "active" },
      containerUptime: expect.stringMatching(/^\d+h \d+m$/),
      todayAnnotations: 4,
      annotationsPerHour: Math.round((4 / activeHours.size) * 10) / 10,
      timeDistribution: [
        { bucket: "0-10s", count: 1 },
        { bucket: "10-30s", count: 1 },
        { bucket: "30-60s", count: 1 },
        { bucket: "60s+", count: 1 },
      ],
      assignmentStats: { total: 1, completed: 1, inProgress: 0 },
    });
    expect(
      detail.recentEvents.map((e: { eventType: string; timeSpentMs: number; lsTaskId: number }) => [
        e.eventType,
        e.timeSpentMs,
        e.lsTaskId,
      ]),
    ).toEqual([
      ["annotation_updated", 99_000, bobTasks[0]!.lsTaskId],
      ["annotation_created", 75_000, bobTasks[3]!.lsTaskId],
      ["annotation_created", 35_000, bobTasks[2]!.lsTaskId],
      ["annotation_created", 12_000, bobTasks[1]!.lsTaskId],
      ["annotation_created", 3_000, bobTasks[0]!.lsTaskId],
    ]);

    // Resuming is manual; the gate then judges only evaluations made after the resume.
    const resumed = await t.request("POST", `/api/fsm/entities/annotator/${alice}/transition/`, {
      cookie,
      body: { transition_name: "resume", reason: "coached" },
    });
    expect(resumed.status).toBe(200);
    expect(resumed.body.new_state).toBe("active");
    expect(await t.services.quality.gate.check(1, alice, goldFlow.id)).toMatchObject({
      evaluations: 0,
      paused: false,
    });
    expect((await get("/api/monitoring")).activeAnnotators).toBe(2);
  }, 180_000);
});
