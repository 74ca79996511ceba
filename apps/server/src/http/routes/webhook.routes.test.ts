import http from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { annotationEvents, annotations, assignments, jobs } from "../../db/schema/index.js";
import { assignmentFixtures } from "../../modules/assignments/test-fixtures.js";
import { webhookFastPathFor } from "../webhook-fast-path.js";
import { WEBHOOK_MAX_BYTES } from "./webhook.routes.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const LS_PROJECT = 501;
let sequence = 0;

/** An annotator with an in-progress assignment of `n` tasks mapped to LS tasks 1000+i of LS_PROJECT. */
async function setup(n = 3) {
  const { annotator, assignment, secret } = await assignmentFixtures(t.services).deliveredBatch({
    tasks: n,
    lsProjectId: LS_PROJECT,
    lsTaskBase: 1000,
  });
  return {
    annotator,
    assignment,
    secret,
    headers: { "x-annotator-id": String(annotator.id), "x-webhook-secret": secret },
  };
}

const annotation = (id: number, task: number, extra: Record<string, unknown> = {}) => ({
  id,
  task,
  project: LS_PROJECT,
  completed_by: 1,
  result: [{ from_name: "label", to_name: "image", type: "choices", value: { choices: ["cat"] } }],
  was_cancelled: false,
  lead_time: 4.5,
  created_at: "2026-04-06T12:00:00Z",
  updated_at: "2026-04-06T12:00:00Z",
  ...extra,
});
const created = (a: ReturnType<typeof annotation>) => ({
  action: "ANNOTATION_CREATED",
  annotation: a,
  task: { id: a.task, data: {} },
  project: { id: LS_PROJECT, title: "LF" },
});

const post = (headers: Record<string, string>, body: unknown) =>
  t.request("POST", "/api/webhook", { headers, body });
const metric = async (outcome: string) => {
  const values = (await t.services.metrics.webhooksReceived.get()).values;
  return values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
};
const jobCount = async (name: string) =>
  Number((await t.db.select({ n: sql<number>`count(*)` }).from(jobs).where(eq(jobs.name, name)))[0]?.n ?? 0);

describe("POST /api/webhook", () => {
  it("answers 401 alike for a wrong secret and an unknown annotator", async () => {
    const { annotator, headers } = await setup(1);
    const wrong = await post({ ...headers, "x-webhook-secret": "nope" }, created(annotation(1, 1000)));
    const unknown = await post(
      { ...headers, "x-annotator-id": String(annotator.id + 999) },
      created(annotation(1, 1000)),
    );
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
    expect(await t.db.select().from(annotations).where(eq(annotations.annotatorId, annotator.id))).toEqual(
      [],
    );
  });

  it("stores the annotation with its result, lead time and LS ids, marks the task done, and ignores a duplicate", async () => {
    const { annotator, assignment, headers } = await setup(3);
    const body = created(annotation(11, 1000));
    const first = await post(headers, body);
    expect(first).toMatchObject({ status: 200, body: { ok: true, outcome: "ingested" } });
    const again = await post(headers, body);
    expect(again).toMatchObject({ status: 200, body: { ok: true, outcome: "duplicate" } });
    const stored = await t.db.select().from(annotations).where(eq(annotations.annotatorId, annotator.id));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      lsAnnotationId: 11,
      lsTaskId: 1000,
      lsProjectId: LS_PROJECT,
      leadTime: 4.5,
      state: "CREATED",
      assignmentId: assignment.id,
    });
    const events = await t.db
      .select()
      .from(annotationEvents)
      .where(eq(annotationEvents.annotatorId, annotator.id));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ eventType: "annotation_created", timeSpentMs: 4500 });
    const [progress] = await t.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    expect(progress!.completedCount).toBe(1);
  });

  it("reads ANNOTATIONS_CREATED (a list under `annotation`), queues completion once every task is done", async () => {
    const { assignment, headers } = await setup(3);
    const before = await jobCount("assignment.complete");
    const response = await post(headers, {
      action: "ANNOTATIONS_CREATED",
      annotation: [
        annotation(21, 1000),
        annotation(22, 1001),
        annotation(23, 1002, { was_cancelled: true, result: [] }),
      ],
      project: { id: LS_PROJECT },
    });
    expect(response.body).toEqual({ ok: true, outcome: "ingested" });
    const [progress] = await t.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    expect(progress!.completedCount).toBe(3);
    expect(await jobCount("assignment.complete")).toBe(before + 1);
  });

  it("applies a later ANNOTATION_UPDATED and ignores an older one", async () => {
    const { annotator, headers } = await setup(1);
    await post(headers, created(annotation(31, 1000)));
    const update = (at: string, choice: string) => ({
      action: "ANNOTATION_UPDATED",
      annotation: annotation(31, 1000, {
        updated_at: at,
        result: [{ from_name: "label", to_name: "image", type: "choices", value: { choices: [choice] } }],
      }),
      project: { id: LS_PROJECT },
    });
    expect((await post(headers, update("2026-04-06T12:05:00Z", "dog"))).body.outcome).toBe("ingested");
    expect((await post(headers, update("2026-04-06T12:01:00Z", "cat"))).body.outcome).toBe("stale");
    const [row] = await t.db.select().from(annotations).where(eq(annotations.annotatorId, annotator.id));
    expect(row!.result).toEqual([
      { from_name: "label", to_name: "image", type: "choices", value: { choices: ["dog"] } },
    ]);
  });

  it("deletes by ANNOTATIONS_DELETED ids, and asks for a reconcile when LS omits them", async () => {
    const { annotator, assignment, headers } = await setup(2);
    await post(headers, created(annotation(41, 1000)));
    const deleted = await post(headers, {
      action: "ANNOTATIONS_DELETED",
      annotations: [{ id: 41 }],
      project: { id: LS_PROJECT },
    });
    expect(deleted.body.outcome).toBe("ingested");
    const [row] = await t.db.select().from(annotations).where(eq(annotations.annotatorId, annotator.id));
    expect(row!.state).toBe("DELETED");
    const [progress] = await t.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    expect(progress!.completedCount).toBe(0);
    const reconciles = await jobCount("reconcile.annotator");
    const bare = await post(headers, { action: "ANNOTATIONS_DELETED" });
    expect(bare).toMatchObject({ status: 200, body: { ok: true, outcome: "unmatched" } });
    expect(await jobCount("reconcile.annotator")).toBe(reconciles + 1);
  });

  it("answers 400 and counts malformed and oversized bodies, never a 500", async () => {
    const { headers } = await setup(1);
    const malformed = await metric("malformed");
    const cases = [
      await post(headers, { nothing: true }),
      await post(headers, { action: "ANNOTATION_CREATED", annotation: { id: "seventeen" } }),
      await t.request("POST", "/api/webhook", { headers, body: "{not json" }),
      await post({ "x-webhook-secret": "s" }, created(annotation(1, 1000))),
      await t.request("POST", "/api/webhook", {
        headers: { ...headers, "content-length": String(WEBHOOK_MAX_BYTES + 10) },
        body: "x".repeat(WEBHOOK_MAX_BYTES + 10),
      }),
    ];
    expect(cases.map((c) => c.status)).toEqual([400, 400, 400, 400, 400]);
    expect(await metric("malformed")).toBe(malformed + cases.length);
  });

  it("leaves a webhook for an LS task it cannot place to a reconcile, storing nothing", async () => {
    const { annotator, headers } = await setup(1);
    sequence++;
    const response = await post(headers, created(annotation(51 + sequence, 4242)));
    expect(response.body.outcome).toBe("unmatched");
    expect(
      await t.db.select().from(annotationEvents).where(eq(annotationEvents.annotatorId, annotator.id)),
    ).toEqual([]);
  });
});

describe("POST /api/webhook through the node:http fast path (serve)", () => {
  /** The app as routing/serve.ts serves it: the fast path in front of Hono; `hono` without it. */
  async function listen(fast: boolean) {
    const api = getRequestListener(t.app.fetch);
    const webhook = webhookFastPathFor(t.app.fetch);
    const server = http.createServer((req, res) => {
      if (!(fast && webhook?.(req, res))) void api(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { server, port: (server.address() as AddressInfo).port };
  }
  const send = (port: number, headers: Record<string, string>, body: string) =>
    new Promise<{ status: number; type: string; body: unknown }>((resolve, reject) => {
      const req = http.request(
        { host: "127.0.0.1", port, path: "/api/webhook", method: "POST", headers },
        (res) => {
          let text = "";
          res.on("data", (chunk) => {
            text += String(chunk);
          });
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers["content-type"]),
              body: text ? JSON.parse(text) : null,
            }),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });

  it("is registered, and answers like the Hono route: stored once, duplicates, 401, counted 400s", async () => {
    expect(webhookFastPathFor(t.app.fetch)).toBeTypeOf("function");
    const fast = await listen(true);
    const hono = await listen(false);
    try {
      const { annotator, assignment, headers } = await setup(3);
      const json = { ...headers, "content-type": "application/json" };
      const bodies = [
        JSON.stringify(created(annotation(41, 1000))),
        JSON.stringify(created(annotation(41, 1000))),
        JSON.stringify(created(annotation(42, 1001))),
      ];
      const viaFast = [];
      for (const body of bodies.slice(0, 2)) viaFast.push(await send(fast.port, json, body));
      expect(viaFast.map((r) => r.body)).toEqual([
        { ok: true, outcome: "ingested" },
        { ok: true, outcome: "duplicate" },
      ]);
      expect(viaFast[0]!.type).toMatch(/^application\/json/);
      expect(await send(hono.port, json, bodies[1]!)).toMatchObject({
        status: 200,
        body: { ok: true, outcome: "duplicate" },
      });
      expect((await send(fast.port, json, bodies[2]!)).body).toEqual({ ok: true, outcome: "ingested" });
      const stored = await t.db.select().from(annotations).where(eq(annotations.annotatorId, annotator.id));
      expect(stored.map((a) => a.lsAnnotationId).sort()).toEqual([41, 42]);
      const [progress] = await t.db.select().from(assignments).where(eq(assignments.id, assignment.id));
      expect(progress!.completedCount).toBe(2);

      const wrong = { ...json, "x-webhook-secret": "nope" };
      const unauthorized = [
        await send(fast.port, wrong, bodies[0]!),
        await send(hono.port, wrong, bodies[0]!),
      ];
      expect(unauthorized.map((r) => r.status)).toEqual([401, 401]);
      expect(unauthorized[0]!.body).toEqual(unauthorized[1]!.body);

      const malformed = await metric("malformed");
      const bad = [
        "{not json",
        JSON.stringify({ nothing: true }),
        JSON.stringify({ action: "ANNOTATION_CREATED", annotation: { id: "seventeen" } }),
        JSON.stringify({ ...created(annotation(43, 1002)), task: { id: 1002 } }),
      ];
      const answers = [];
      for (const body of bad)
        answers.push([await send(fast.port, json, body), await send(hono.port, json, body)]);
      for (const [viaFastPath, viaHono] of answers) {
        expect(viaFastPath!.status).toBe(400);
        expect(viaFastPath!.body).toEqual(viaHono!.body);
      }
      expect(await metric("malformed")).toBe(malformed + bad.length * 2);
      const huge = await send(
        fast.port,
        { ...json, "transfer-encoding": "chunked" },
        "x".repeat(WEBHOOK_MAX_BYTES + 10),
      );
      expect(huge.status).toBe(400);
      expect(await metric("malformed")).toBe(malformed + bad.length * 2 + 1);
    } finally {
      fast.server.closeAllConnections();
      hono.server.closeAllConnections();
      await new Promise((r) => fast.server.close(r));
      await new Promise((r) => hono.server.close(r));
    }
  });

  it("keeps the route in the OpenAPI document", async () => {
    const doc = (await t.request("GET", "/api/openapi.json")).body as {
      paths: Record<string, { post?: { requestBody?: unknown; responses?: Record<string, unknown> } }>;
    };
    expect(doc.paths["/api/webhook"]?.post?.requestBody).toBeTruthy();
    expect(doc.paths["/api/webhook"]?.post?.responses?.["200"]).toBeTruthy();
  });
});
