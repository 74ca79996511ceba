import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";

let open: TestApp;
let guarded: TestApp;
beforeAll(async () => {
  open = await createTestApp();
  guarded = await createTestApp({ METRICS_TOKEN: "scrape-secret-123" });
});
afterAll(async () => {
  await open.close();
  await guarded.close();
});

const sample = (text: string, name: string, labels: string) =>
  Number(new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, "m").exec(text)?.[1]);

describe("GET /metrics", () => {
  it("serves counters and the gauges read at scrape time", async () => {
    const cookie = await open.login();
    await open.request("POST", "/api/roles", { cookie, body: { name: "labeler" } });
    await open.request("POST", "/api/annotators", {
      cookie,
      body: { name: "A", email: "a@x.io", roleId: 1 },
    });
    await open.request("POST", "/api/annotators", {
      cookie,
      body: { name: "B", email: "b@x.io", roleId: 1 },
    });
    await open.services.jobs.send("metrics.test-job", {});
    open.services.metrics.reconcileRuns.inc({ outcome: "ok" });
    open.services.metrics.reconcileErrors.inc();
    // A webhook with a wrong secret is counted and timed.
    await open.request("POST", "/api/webhook", {
      headers: { "x-annotator-id": "1", "x-webhook-secret": "wrong" },
      body: { action: "ANNOTATION_CREATED" },
    });
    const response = await open.request("GET", "/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = response.body as string;
    expect(sample(text, "labelfleet_instances", 'status="created"')).toBe(2);
    expect(sample(text, "labelfleet_jobs", 'name="metrics.test-job",state="queued"')).toBe(1);
    expect(sample(text, "labelfleet_reconcile_runs_total", 'outcome="ok"')).toBe(1);
    expect(text).toMatch(/^labelfleet_reconcile_errors_total 1$/m);
    expect(text).toContain("labelfleet_annotations_ingested_total");
    expect(text).toMatch(/^labelfleet_webhook_duration_seconds_count 1$/m);
    expect(sample(text, "labelfleet_webhooks_received_total", 'outcome="unauthorized"')).toBe(1);

    // A status that no annotator has any more disappears instead of keeping its last value.
    await open.db.execute(
      (await import("drizzle-orm")).sql`update annotators set status = 'stopped' where id = 1`,
    );
    const after = (await open.request("GET", "/metrics")).body as string;
    expect(sample(after, "labelfleet_instances", 'status="created"')).toBe(1);
    expect(sample(after, "labelfleet_instances", 'status="stopped"')).toBe(1);
  });

  it("requires the bearer token when METRICS_TOKEN is set", async () => {
    expect((await guarded.request("GET", "/metrics")).status).toBe(401);
    expect(
      (await guarded.request("GET", "/metrics", { headers: { authorization: "Bearer nope" } })).status,
    ).toBe(401);
    const ok = await guarded.request("GET", "/metrics", {
      headers: { authorization: "Bearer scrape-secret-123" },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("labelfleet_jobs");
  });

  it("stays out of the JSON contract", async () => {
    const spec = (await open.request("GET", "/api/openapi.json")).body;
    expect(spec.paths["/metrics"]).toBeUndefined();
  });
});
