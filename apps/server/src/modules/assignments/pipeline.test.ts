import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { createLabelStudioClient } from "../../labelstudio/client.js";

let t: TestApp;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp({ INSTANCE_START_TIMEOUT_SECONDS: "30" });
  cookie = await t.login();
}, 60_000);
afterAll(async () => {
  await t.services.fleet.backend.close();
  await t.close();
});

// A 1×1 PNG: the files are served, not decoded.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

describe("the spec's example pipeline on the embedded defaults", () => {
  it("steps 1–5 verbatim, then POST /api/workflows/1/assign puts the tasks into the annotator's LS", async () => {
    for (let i = 1; i <= 60; i++) {
      await t.services.storage.put(`images/cars/car-${String(i).padStart(3, "0")}.png`, PNG, "image/png");
    }
    const post = (path: string, body?: unknown) => t.request("POST", path, { cookie, body });
    // 1–4, the bodies of the spec verbatim.
    expect(
      (await post("/api/roles", { name: "labeler", description: "Image labelers", color: "#3B82F6" })).status,
    ).toBe(201);
    const config = await post("/api/labeling-configs", {
      name: "Object Detection",
      configXml:
        '<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="car"/><Label value="person"/></RectangleLabels></View>',
    });
    expect(config.status).toBe(201);
    const workflow = await post("/api/workflows", {
      name: "Car Detection",
      roleId: 1,
      labelingConfigId: 1,
      s3SourcePath: "images/cars/",
      s3ExportPath: "exports/cars/",
      imagesPerProject: 50,
      goldStandardRate: 0.1,
    });
    expect(workflow.status).toBe(201);
    expect(workflow.body.id).toBe(1);
    expect(
      (await post("/api/annotators", { name: "Alice", email: "alice@example.com", roleId: 1 })).status,
    ).toBe(201);
    // 5. Start: the process backend runs the bundled LS simulator; activation auto-assigns batch 1.
    expect((await post("/api/annotators/1/start")).status).toBe(200);
    await t.services.jobs.worker.drain();
    const status = await t.request("GET", "/api/annotators/1/status", { cookie });
    expect(status.body.status).toBe("active");

    const assigned = await post("/api/workflows/1/assign", { annotatorId: 1 });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({
      success: true,
      assignment: { workflowId: 1, annotatorId: 1, status: "pending" },
    });
    await t.services.jobs.worker.drain();

    const list = await t.request("GET", "/api/assignments?workflowId=1", { cookie });
    // The auto-assigned batch of 50 and the manual one with the remaining 10.
    const regular = list.body.data.map(
      (a: { taskCount: number; goldTaskCount: number }) => a.taskCount - a.goldTaskCount,
    );
    expect(regular.sort()).toEqual([10, 50]);
    const detail = await t.request("GET", `/api/assignments/${assigned.body.assignment.id}`, { cookie });
    expect(detail.body.status).toBe("in_progress");
    expect(detail.body.tasks.every((x: { lsTaskId: number | null }) => x.lsTaskId !== null)).toBe(true);

    // Checked through the LS API of the annotator's instance.
    const [row] = await t.db.query.annotators.findMany({ where: (a, { eq }) => eq(a.id, 1) });
    const ls = createLabelStudioClient({
      baseUrl: row!.instanceUrl!,
      token: t.services.secrets.open(row!.apiTokenEnc!),
    });
    const lsTasks = await ls.listProjectTasks(detail.body.lsProjectId);
    expect(lsTasks.map((x) => x.id).sort()).toEqual(
      detail.body.tasks.map((x: { lsTaskId: number }) => x.lsTaskId).sort(),
    );
    const image = String(lsTasks[0]!.data.image);
    // The signed URL serves the image.
    const served = await t.app.request(new URL(image).pathname + new URL(image).search);
    expect(served.status).toBe(200);
  }, 120_000);
});
