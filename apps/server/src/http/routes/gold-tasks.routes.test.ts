import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";

let t: TestApp;
let cookie: string;
let configId: number;
let otherConfigId: number;

const CONFIG =
  '<View><Image name="image" value="$image"/><Choices name="label" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices></View>';
const BOXES =
  '<View><Image name="img" value="$image"/><RectangleLabels name="box" toName="img"><Label value="car"/></RectangleLabels></View>';
const cat = [{ from_name: "label", to_name: "image", type: "choices", value: { choices: ["cat"] } }];
const gold = (overrides: Record<string, unknown> = {}) => ({
  name: "Gold - Cat",
  s3ImageKey: "gold/cat_001.jpg",
  expectedLabels: cat,
  labelingConfigId: configId,
  category: "animals",
  difficulty: "easy",
  ...overrides,
});

beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
  configId = (
    await t.request("POST", "/api/labeling-configs", { cookie, body: { name: "c", configXml: CONFIG } })
  ).body.id;
  otherConfigId = (
    await t.request("POST", "/api/labeling-configs", { cookie, body: { name: "b", configXml: BOXES } })
  ).body.id;
});
afterAll(() => t.close());

describe("gold tasks API", () => {
  it("creates, reads, filters, updates and deletes", async () => {
    const created = await t.request("POST", "/api/gold-tasks", { cookie, body: gold() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...gold(), id: expect.any(Number), createdAt: expect.any(String) });
    const dog = await t.request("POST", "/api/gold-tasks", {
      cookie,
      body: gold({
        name: "Gold - Dog",
        category: "pets",
        expectedLabels: [{ ...cat[0], value: { choices: ["dog"] } }],
      }),
    });
    expect(dog.status).toBe(201);
    const box = await t.request("POST", "/api/gold-tasks", {
      cookie,
      body: {
        s3ImageKey: "gold/car.jpg",
        labelingConfigId: otherConfigId,
        expectedLabels: [
          {
            from_name: "box",
            to_name: "img",
            type: "rectanglelabels",
            value: { x: 1, y: 1, width: 5, height: 5, rectanglelabels: ["car"] },
          },
        ],
      },
    });
    expect(box.status).toBe(201);
    expect(box.body).toMatchObject({ name: null, category: null, difficulty: null });

    const all = await t.request("GET", "/api/gold-tasks", { cookie });
    expect(all.body.map((g: { id: number }) => g.id)).toEqual([created.body.id, dog.body.id, box.body.id]);
    expect(all.headers.get("x-total-count")).toBe("3");
    const byConfig = await t.request("GET", `/api/gold-tasks?labelingConfigId=${configId}`, { cookie });
    expect(byConfig.body.map((g: { name: string }) => g.name)).toEqual(["Gold - Cat", "Gold - Dog"]);
    const byCategory = await t.request("GET", "/api/gold-tasks?category=pets", { cookie });
    expect(byCategory.body.map((g: { name: string }) => g.name)).toEqual(["Gold - Dog"]);
    const paged = await t.request("GET", "/api/gold-tasks?limit=1&offset=1", { cookie });
    expect(paged.body).toMatchObject({
      data: [{ id: dog.body.id }],
      pagination: { total: 3, hasMore: true },
    });

    const updated = await t.request("PUT", `/api/gold-tasks/${dog.body.id}`, {
      cookie,
      body: { difficulty: "hard", category: "animals" },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ difficulty: "hard", category: "animals", name: "Gold - Dog" });
    expect((await t.request("GET", `/api/gold-tasks/${dog.body.id}`, { cookie })).body.difficulty).toBe(
      "hard",
    );

    expect((await t.request("DELETE", `/api/gold-tasks/${dog.body.id}`, { cookie })).body).toEqual({
      success: true,
    });
    expect((await t.request("GET", `/api/gold-tasks/${dog.body.id}`, { cookie })).status).toBe(404);
    expect(
      (await t.request("PUT", `/api/gold-tasks/${dog.body.id}`, { cookie, body: { name: "x" } })).status,
    ).toBe(404);
  });

  it("locks the referenced labeling config's XML", async () => {
    const config = await t.request("GET", `/api/labeling-configs/${configId}`, { cookie });
    expect(config.body).toMatchObject({ isLocked: true, goldTaskCount: 1 });
    const edit = await t.request("PUT", `/api/labeling-configs/${configId}`, {
      cookie,
      body: { configXml: CONFIG.replace("dog", "bird") },
    });
    expect(edit.status).toBe(409);
    // Renaming is still allowed; deleting is not.
    expect(
      (await t.request("PUT", `/api/labeling-configs/${configId}`, { cookie, body: { name: "r" } })).status,
    ).toBe(200);
    expect((await t.request("DELETE", `/api/labeling-configs/${configId}`, { cookie })).status).toBe(409);
  });

  it.each([
    ["an empty list", { expectedLabels: [] }, ["expectedLabels"]],
    [
      "an unknown control",
      { expectedLabels: [{ ...cat[0], from_name: "colour" }] },
      ["expectedLabels", 0, "from_name"],
    ],
    ["a wrong type", { expectedLabels: [{ ...cat[0], type: "labels" }] }, ["expectedLabels", 0, "type"]],
    ["a wrong target", { expectedLabels: [{ ...cat[0], to_name: "img" }] }, ["expectedLabels", 0, "to_name"]],
    [
      "a missing value",
      { expectedLabels: [{ ...cat[0], value: undefined }] },
      ["expectedLabels", 0, "value"],
    ],
    ["a missing config", { labelingConfigId: 999 }, ["labelingConfigId"]],
    ["an unknown difficulty", { difficulty: "extreme" }, ["difficulty"]],
    ["a missing image key", { s3ImageKey: undefined }, ["s3ImageKey"]],
  ])("answers 400 with details for %s", async (_what, overrides, path) => {
    const response = await t.request("POST", "/api/gold-tasks", { cookie, body: gold(overrides) });
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual(expect.any(String));
    expect(response.body.details.map((d: { path: unknown[] }) => d.path)).toContainEqual(path);
  });

  it("checks labels again on update, against the new config when it changes", async () => {
    const created = (await t.request("POST", "/api/gold-tasks", { cookie, body: gold() })).body;
    const moved = await t.request("PUT", `/api/gold-tasks/${created.id}`, {
      cookie,
      body: { labelingConfigId: otherConfigId },
    });
    expect(moved.status).toBe(400);
    expect(moved.body.details[0].path).toEqual(["expectedLabels", 0, "from_name"]);
    const empty = await t.request("PUT", `/api/gold-tasks/${created.id}`, { cookie, body: {} });
    expect(empty.status).toBe(400);
  });

  it("keeps organizations apart", async () => {
    const created = (await t.request("POST", "/api/gold-tasks", { cookie, body: gold() })).body;
    const other = await t.memberSession("owner@other.io", "owner", "other");
    expect((await t.request("GET", `/api/gold-tasks/${created.id}`, { cookie: other })).status).toBe(404);
    expect((await t.request("GET", "/api/gold-tasks", { cookie: other })).body).toEqual([]);
    const foreignConfig = await t.request("POST", "/api/gold-tasks", { cookie: other, body: gold() });
    expect(foreignConfig.status).toBe(400);
    expect(foreignConfig.body.details[0].path).toEqual(["labelingConfigId"]);
  });

  it("refuses writes to viewers", async () => {
    const viewer = await t.memberSession("viewer@fleet.local", "viewer");
    expect((await t.request("POST", "/api/gold-tasks", { cookie: viewer, body: gold() })).status).toBe(403);
    expect((await t.request("GET", "/api/gold-tasks", { cookie: viewer })).status).toBe(200);
  });
});
