import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createListeningTestApp, type ListeningTestApp } from "../../../test/helpers/listening-app.js";
import { annotations, assignmentTasks, items } from "../../db/schema/index.js";
import { LABEL_CONFIG, labelResult, pipeline } from "../completion/pipeline-fixtures.js";

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
const sim = async (url: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(url + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json();
};

/** What a run leaves behind, in terms that do not depend on ids: comparable between two annotators. */
async function outcome(p: ReturnType<typeof pipeline>, annotatorId: number) {
  const [assignment] = await p.assignmentsOf(annotatorId);
  const stored = await t.db
    .select({ itemId: annotations.itemId, state: annotations.state, result: annotations.result })
    .from(annotations)
    .where(eq(annotations.annotatorId, annotatorId))
    .orderBy(asc(annotations.itemId), asc(annotations.id));
  const tasks = await t.db
    .select({
      itemId: assignmentTasks.itemId,
      position: assignmentTasks.position,
      isDone: assignmentTasks.isDone,
    })
    .from(assignmentTasks)
    .where(eq(assignmentTasks.assignmentId, assignment!.id));
  const positionOf = new Map(tasks.map((x) => [x.itemId, x.position]));
  const itemRows = await t.db
    .select({ id: items.id, state: items.state, annotatedCount: items.annotatedCount })
    .from(items)
    .innerJoin(assignmentTasks, eq(assignmentTasks.itemId, items.id))
    .where(eq(assignmentTasks.assignmentId, assignment!.id));
  const exported = JSON.parse(
    (await t.services.storage.get(assignment!.exportKey!)).body.toString(),
  ) as Array<{
    inner_id: number;
    annotations: { result: unknown }[];
  }>;
  return {
    assignment: {
      status: assignment!.status,
      completedCount: assignment!.completedCount,
      taskCount: assignment!.taskCount,
    },
    annotations: stored
      .map((a) => ({ position: positionOf.get(a.itemId), state: a.state, result: a.result }))
      .sort((x, y) => x.position! - y.position! || x.state.localeCompare(y.state)),
    tasksDone: tasks.filter((x) => x.isDone).length,
    items: itemRows
      .map((i) => ({ state: i.state, annotatedCount: i.annotatedCount }))
      .sort((x, y) => x.state.localeCompare(y.state)),
    export: exported.map((task) => ({
      position: task.inner_id,
      results: task.annotations.map((a) => a.result),
    })),
  };
}

describe("reconcile after lossy webhooks", () => {
  it("with 20% of webhooks dropped and 10% sent twice, counts, exports and states equal a run without faults", async () => {
    const p = pipeline(t, cookie);
    await p.images("images/faults/", 20);
    const role = await p.post("/api/roles", { name: "labeler" });
    const config = await p.post("/api/labeling-configs", { name: "Label", configXml: LABEL_CONFIG });
    await p.post("/api/workflows", {
      name: "Faults",
      roleId: role.id,
      labelingConfigId: config.id,
      s3SourcePath: "images/faults/",
      s3ExportPath: "exports/faults/",
      imagesPerProject: 10,
      maxProjects: 1,
      shuffleImages: false,
    });
    await drain();
    const clean = await p.startAnnotator("Clean", role.id);
    const faulty = await p.startAnnotator("Faulty", role.id);
    const faultyUrl = (await p.instance(faulty)).url;
    await sim(faultyUrl, "POST", "/__sim/faults", {
      dropWebhookRate: 0.2,
      duplicateWebhookRate: 0.1,
      seed: 3,
    });

    // The same work in both instances: 10 submits, one edit, one delete and a new submit on that task.
    for (const annotatorId of [clean, faulty]) {
      const { client } = await p.instance(annotatorId);
      const [assignment] = await p.assignmentsOf(annotatorId);
      const tasks = await p.lsTasksOf(assignment!.id);
      const ids: number[] = [];
      for (const [i, task] of tasks.entries()) {
        ids.push(
          (await client.createAnnotation(task.lsTaskId, { result: labelResult(i % 3 ? "cat" : "dog") })).id,
        );
      }
      await new Promise((r) => setTimeout(r, 5)); // a later updated_at for the edit
      await client.updateAnnotation(ids[0]!, { result: labelResult("cat") });
      await client.deleteAnnotation(ids[1]!);
      await client.createAnnotation(tasks[1]!.lsTaskId, { result: labelResult("dog") });
    }
    await drain();

    const log = (await sim(faultyUrl, "GET", "/__sim/webhook-log")) as Array<{ delivery: string }>;
    expect(log.filter((e) => e.delivery === "dropped").length).toBeGreaterThan(0);
    expect(log.filter((e) => e.delivery === "duplicate").length).toBeGreaterThan(0);

    const reconciled = await t.request("POST", "/api/reconcile", { cookie });
    expect(reconciled.status).toBe(200);
    expect(reconciled.body.errors).toEqual([]);
    await drain();

    const expected = await outcome(p, clean);
    expect(expected.assignment).toEqual({ status: "completed", completedCount: 10, taskCount: 10 });
    expect(expected.annotations.filter((a) => a.state === "DELETED")).toHaveLength(1);
    expect(expected.export.flatMap((x) => x.results)).toHaveLength(10);
    expect(await outcome(p, faulty)).toEqual(expected);
    // A second run finds nothing left to do.
    const again = await t.request("POST", "/api/reconcile", { cookie });
    expect(again.body).toEqual({ reconciled: 0, completed: 0, errors: [] });
  }, 180_000);
});
