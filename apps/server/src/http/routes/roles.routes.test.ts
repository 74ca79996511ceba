import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";

let t: TestApp;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
});
afterAll(() => t.close());

describe("/api/roles", () => {
  it("runs the spec's example pipeline step 1 verbatim", async () => {
    const created = await t.request("POST", "/api/roles", {
      cookie,
      body: { name: "labeler", description: "Image labelers", color: "#3B82F6" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(Number), name: "labeler", color: "#3B82F6" });
    expect(typeof created.body.createdAt).toBe("string");
    const got = await t.request("GET", `/api/roles/${created.body.id}`, { cookie });
    expect(got.body).toEqual(created.body);
  });

  it.each([
    ["missing name", { description: "x" }, "name"],
    ["empty name", { name: "" }, "name"],
    ["name over 100 chars", { name: "x".repeat(101) }, "name"],
    ["description over 500 chars", { name: "ok", description: "x".repeat(501) }, "description"],
    ["bad colour", { name: "ok", color: "blue" }, "color"],
    ["colour without #", { name: "ok", color: "3B82F6" }, "color"],
  ])("refuses %s with 400 and details", async (_, body, field) => {
    const response = await t.request("POST", "/api/roles", { cookie, body });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe("Validation failed");
    expect(response.body.details.some((d: { path: string[] }) => d.path[0] === field)).toBe(true);
  });

  it("refuses malformed JSON and a non-JSON body with 400", async () => {
    const malformed = await t.request("POST", "/api/roles", { cookie, body: "{not json" });
    expect(malformed.status).toBe(400);
    const form = await t.request("POST", "/api/roles", {
      cookie,
      body: "name=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(400);
  });

  it("answers 409 for a duplicate name, on create and on rename", async () => {
    await t.request("POST", "/api/roles", { cookie, body: { name: "reviewer" } });
    const duplicate = await t.request("POST", "/api/roles", { cookie, body: { name: "reviewer" } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatch(/already exists/);
    const other = await t.request("POST", "/api/roles", { cookie, body: { name: "qa" } });
    const rename = await t.request("PUT", `/api/roles/${other.body.id}`, {
      cookie,
      body: { name: "reviewer" },
    });
    expect(rename.status).toBe(409);
  });

  it("updates, requires at least one field, and deletes", async () => {
    const role = (await t.request("POST", "/api/roles", { cookie, body: { name: "temp" } })).body;
    expect((await t.request("PUT", `/api/roles/${role.id}`, { cookie, body: {} })).status).toBe(400);
    const updated = await t.request("PUT", `/api/roles/${role.id}`, { cookie, body: { color: "#fff" } });
    expect(updated.body).toMatchObject({ name: "temp", color: "#fff" });
    expect((await t.request("DELETE", `/api/roles/${role.id}`, { cookie })).body).toEqual({ success: true });
    expect((await t.request("GET", `/api/roles/${role.id}`, { cookie })).status).toBe(404);
    expect((await t.request("DELETE", `/api/roles/${role.id}`, { cookie })).status).toBe(404);
  });

  it("pages: bare array by default, envelope with limit/offset, X-Total-Count always, bounds checked", async () => {
    const bare = await t.request("GET", "/api/roles", { cookie });
    expect(Array.isArray(bare.body)).toBe(true);
    const total = Number(bare.headers.get("x-total-count"));
    expect(total).toBe(bare.body.length);
    const page = await t.request("GET", "/api/roles?limit=1&offset=1", { cookie });
    expect(page.body.data).toHaveLength(1);
    expect(page.body.data[0]).toEqual(bare.body[1]);
    expect(page.body.pagination).toEqual({ total, limit: 1, offset: 1, hasMore: total > 2 });
    for (const query of ["limit=0", "limit=501", "offset=-1", "limit=abc"]) {
      expect((await t.request("GET", `/api/roles?${query}`, { cookie })).status).toBe(400);
    }
  });

  it("answers 400 for a non-numeric id", async () => {
    expect((await t.request("GET", "/api/roles/abc", { cookie })).status).toBe(400);
  });
});
