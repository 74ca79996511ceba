import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../src/index.js";
import { api, seedProject, startBootstrapped } from "./helpers.js";

describe("fault switches (README; used to test contract §6.3/§10.4 tolerance)", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startBootstrapped();
  });
  afterAll(() => sim.close());
  afterEach(async () => {
    await api(sim, "DELETE", "/__sim/faults");
    await api(sim, "DELETE", "/__sim/request-log");
  });

  it("latencyMs delays API answers but never /__sim routes", async () => {
    await api(sim, "POST", "/__sim/faults", { latencyMs: 150 });
    let started = Date.now();
    await api(sim, "GET", "/api/version/");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    started = Date.now();
    await api(sim, "GET", "/__sim/faults");
    expect(Date.now() - started).toBeLessThan(100);
  });

  it("failNext + match fails exactly the next matching requests with an LS 500 envelope", async () => {
    await api(sim, "POST", "/__sim/faults", { failNext: 2, match: { method: "GET", path: "/api/projects" } });
    expect((await api(sim, "GET", "/api/version/")).status).toBe(200);
    const failed = await api(sim, "GET", "/api/projects/");
    expect(failed.status).toBe(500);
    expect(failed.body).toMatchObject({ status_code: 500, detail: "Injected fault (ls-sim)" });
    expect((await api(sim, "GET", "/api/projects/")).status).toBe(500);
    expect((await api(sim, "GET", "/api/projects/")).status).toBe(200);
    const log = (await api(sim, "GET", "/__sim/request-log")).body;
    expect(log.filter((e: { injected: boolean }) => e.injected)).toHaveLength(2);
  });

  it("errorRate with a seed gives the same failure sequence every time", async () => {
    const run = async () => {
      await api(sim, "POST", "/__sim/faults", { errorRate: 0.5, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await api(sim, "GET", "/api/version/")).status);
      return statuses;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a).toContain(500);
    expect(a).toContain(200);
  });

  it("errorPhase=after processes the request and still answers an error", async () => {
    const { projectId } = await seedProject(sim, 1);
    await api(sim, "POST", "/__sim/faults", { failNext: 1, errorPhase: "after", match: { method: "POST" } });
    const res = await api(sim, "POST", `/api/projects/${projectId}/import`, [{ image: "lost-answer.jpg" }]);
    expect(res.status).toBe(500);
    expect(sim.state.tasks.filter((t) => t.project === projectId)).toHaveLength(2);
  });

  it("unknown fault keys are rejected", async () => {
    expect((await api(sim, "POST", "/__sim/faults", { errorRat: 1 })).status).toBe(400);
  });

  it("quirks: Enterprise-style async import and the predictions_count spelling (§4.1)", async () => {
    const { projectId } = await seedProject(sim, 1);
    await api(sim, "POST", "/__sim/faults", {
      quirks: { asyncImport: true, importCountKey: "predictions_count" },
    });
    const res = await api(sim, "POST", `/api/projects/${projectId}/import`, [{ image: "q.jpg" }]);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(["import"]);
    const status = await api(sim, "GET", `/api/projects/${projectId}/imports/${res.body.import}/`);
    expect(status.body).toMatchObject({ status: "completed", task_count: 1, predictions_count: 0 });
    expect(status.body.task_ids).toHaveLength(1);
  });

  it("crash closes the server after answering", async () => {
    const doomed = await startSimulator();
    const res = await api(doomed, "POST", "/__sim/faults", { crash: true });
    expect(res.body.crashing).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    await expect(fetch(`${doomed.url}/health`)).rejects.toThrow();
  });
});
