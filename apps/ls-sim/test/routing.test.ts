import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { api, IMAGE_CONFIG, seedProject, startBootstrapped } from "./helpers.js";

describe("routing, health, errors (contract §0.1, §1.4, §10.2)", () => {
  let sim: RunningSimulator;
  let projectId: number;
  beforeAll(async () => {
    sim = await startBootstrapped();
    ({ projectId } = await seedProject(sim, 1));
  });
  afterAll(() => sim.close());

  it("§0.1: slash routes also answer without the slash, for reads and writes, without redirecting", async () => {
    const list = await api(sim, "GET", "/api/projects");
    expect(list.status).toBe(200);
    expect(list.body.count).toBeGreaterThan(0);
    const created = await api(sim, "POST", "/api/projects", {
      title: "No slash",
      label_config: IMAGE_CONFIG,
    });
    expect(created.status).toBe(201);
    expect(
      (await api(sim, "PATCH", `/api/projects/${created.body.id}`, { description: "d" })).body.description,
    ).toBe("d");
    expect((await api(sim, "DELETE", `/api/projects/${created.body.id}`)).status).toBe(204);
  });

  it("§0.1: no-slash routes are a plain HTML 404 when the client adds a slash", async () => {
    const imp = await api(sim, "POST", `/api/projects/${projectId}/import/`, [{ image: "x" }]);
    expect(imp.status).toBe(404);
    expect(imp.headers.get("content-type")).toMatch(/text\/html/);
    expect((await api(sim, "GET", `/api/projects/${projectId}/export/`)).status).toBe(404);
    expect((await api(sim, "GET", "/api/jwt/settings/")).status).toBe(404);
    expect((await api(sim, "GET", `/api/projects/${projectId}/export`)).status).toBe(200);
  });

  it("§1.4: /health answers {status: UP} with a text/html content type, without auth", async () => {
    for (const path of ["/health", "/health/"]) {
      const res = await api(sim, "GET", path, undefined, null);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      expect(JSON.parse(res.text)).toEqual({ status: "UP" });
    }
  });

  it("§1.4: /api/version/ is public and carries the VersionResponse keys", async () => {
    const res = await api(sim, "GET", "/api/version/", undefined, null);
    expect(res.status).toBe(200);
    for (const key of [
      "release",
      "label-studio-os-package",
      "label-studio-os-backend",
      "label-studio-frontend",
      "dm2",
      "label-studio-converter",
      "lsf",
      "backend",
      "edition",
    ]) {
      expect(res.body).toHaveProperty(key);
    }
    expect(res.body.edition).toBe("Community");
  });

  it("§10.2: errors use the envelope {id, status_code, version, detail, exc_info[, validation_errors]}", async () => {
    const missing = await api(sim, "GET", "/api/projects/999999/");
    expect(missing.status).toBe(404);
    expect(Object.keys(missing.body).sort()).toEqual(["detail", "exc_info", "id", "status_code", "version"]);
    expect(missing.body).toMatchObject({ status_code: 404, detail: "Not found.", exc_info: null });
    const invalid = await api(sim, "POST", "/api/projects/", { title: "x".repeat(51) });
    expect(invalid.status).toBe(400);
    expect(invalid.body.detail).toBe("Validation error");
    expect(invalid.body.validation_errors.title).toHaveLength(1);
    const method = await api(sim, "PUT", "/api/version/");
    expect(method.status).toBe(405);
  });

  it("§10.2: a path no route knows is an HTML 404, not JSON", async () => {
    const res = await api(sim, "GET", "/api/nothing-here/");
    expect(res.status).toBe(404);
    expect(res.body).toBeNull();
    expect(res.text).toMatch(/Not Found/);
  });
});
