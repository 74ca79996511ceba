import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";

let t: TestApp;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
});
afterAll(() => t.close());

describe("monitoring and quality routes", () => {
  it("answer the spec's shapes on an empty fleet", async () => {
    const overview = await t.request("GET", "/api/monitoring", { cookie });
    expect(overview.status).toBe(200);
    expect(overview.body).toMatchObject({
      activeAnnotators: 0,
      todayAnnotations: 0,
      inProgressAssignments: 0,
      annotatorSummaries: [],
    });
    expect(overview.body.annotationsPerHour).toHaveLength(24);
    expect(overview.body.annotationsPerHour.every((h: { count: number }) => h.count === 0)).toBe(true);
    const quality = await t.request("GET", "/api/quality", { cookie });
    expect(quality.body).toEqual({
      overallAccuracy: null,
      accuracyThreshold: 0.7,
      belowThresholdCount: 0,
      reworkRate: 0,
      annotatorScores: [],
      recentEvaluations: [],
      recentRejections: [],
    });
  });

  it("reads the threshold from the settings", async () => {
    expect(
      (await t.request("PUT", "/api/settings/quality.accuracyThreshold", { cookie, body: { value: 0.85 } }))
        .status,
    ).toBe(200);
    expect((await t.request("GET", "/api/quality", { cookie })).body.accuracyThreshold).toBe(0.85);
  });

  it.each([
    ["/api/monitoring?tz=Mars/Olympus", "tz"],
    ["/api/monitoring?from=yesterday", "from"],
    ["/api/monitoring?from=2026-04-06T00:00:00Z&to=2026-04-05T00:00:00Z", "from"],
    ["/api/monitoring?from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z", "from"],
    ["/api/monitoring/annotator/1?tz=", "tz"],
    ["/api/quality?from=2026-04-06T00:00:00Z&to=2026-04-05T00:00:00Z", "from"],
    ["/api/quality?workflowId=abc", "workflowId"],
  ])("GET %s is a 400 naming %s", async (url, field) => {
    const response = await t.request("GET", url, { cookie });
    expect(response.status).toBe(400);
    expect(response.body.details.map((d: { path: string[] }) => d.path[0])).toContain(field);
  });

  it("is a 404 for an unknown annotator and a 401 without a session", async () => {
    expect((await t.request("GET", "/api/monitoring/annotator/999", { cookie })).status).toBe(404);
    expect((await t.request("GET", "/api/monitoring")).status).toBe(401);
    expect((await t.request("GET", "/api/quality")).status).toBe(401);
  });

  it("validates quality gates and keeps them per organization", async () => {
    const put = (body: unknown, who = cookie) =>
      t.request("PUT", "/api/workflows/1/quality-gate", { cookie: who, body });
    expect((await put({ qualityGate: { minEvaluations: 3 } })).status).toBe(404);
    expect((await put({ qualityGate: { minEvaluations: 0 } })).status).toBe(400);
    expect((await put({ qualityGate: { threshold: 0.5 } })).status).toBe(400);
    expect((await put({ qualityGate: { minEvaluations: 2, extra: true } })).status).toBe(400);
  });
});
