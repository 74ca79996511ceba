import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/test-app.js";

/**
 * Every resource of organization A is invisible to a member of organization B: reads, writes and
 * deletes answer 404, exactly as for an id that does not exist. New resources add a row here.
 */
let t: TestApp;
let ownerA: string;
let ownerB: string;
const resources: { path: string; update: unknown }[] = [];

beforeAll(async () => {
  t = await createTestApp();
  ownerA = await t.login();
  ownerB = await t.memberSession("owner-b@example.com", "owner", "org-b");
  const role = await t.request("POST", "/api/roles", { cookie: ownerA, body: { name: "labeler" } });
  resources.push({ path: `/api/roles/${role.body.id}`, update: { name: "stolen" } });
  const config = await t.request("POST", "/api/labeling-configs", {
    cookie: ownerA,
    body: { name: "A", configXml: '<View><Text name="t" value="$t"/></View>' },
  });
  resources.push({ path: `/api/labeling-configs/${config.body.id}`, update: { name: "stolen" } });
  const token = await t.request("POST", "/api/tokens", { cookie: ownerA, body: { name: "a" } });
  resources.push({ path: `/api/tokens/${token.body.id}`, update: undefined });
  await t.request("PUT", "/api/settings/secret.key", { cookie: ownerA, body: { value: "a-only" } });
  resources.push({ path: "/api/settings/secret.key", update: undefined });
});
afterAll(() => t.close());

describe("tenant isolation", () => {
  it("hides every resource of A from a member of B (404), and A still sees them", async () => {
    for (const { path, update } of resources) {
      if (!path.startsWith("/api/tokens")) {
        expect((await t.request("GET", path, { cookie: ownerB })).status, `GET ${path}`).toBe(404);
        expect((await t.request("GET", path, { cookie: ownerA })).status, `GET ${path} as A`).toBe(200);
      }
      if (update)
        expect((await t.request("PUT", path, { cookie: ownerB, body: update })).status, `PUT ${path}`).toBe(
          404,
        );
      if (!path.startsWith("/api/settings")) {
        expect((await t.request("DELETE", path, { cookie: ownerB })).status, `DELETE ${path}`).toBe(404);
      }
    }
  });

  it("lists only the caller's organization", async () => {
    for (const list of ["/api/roles", "/api/labeling-configs", "/api/tokens", "/api/settings"]) {
      const response = await t.request("GET", list, { cookie: ownerB });
      expect(response.body, list).toEqual([]);
      expect(response.headers.get("x-total-count")).toBe("0");
    }
  });

  it("lets B create a role with a name A already uses (names are unique per organization)", async () => {
    expect(
      (await t.request("POST", "/api/roles", { cookie: ownerB, body: { name: "labeler" } })).status,
    ).toBe(201);
  });

  it("keeps a setting written by B separate from A's", async () => {
    await t.request("PUT", "/api/settings/secret.key", { cookie: ownerB, body: { value: "b-only" } });
    expect((await t.request("GET", "/api/settings/secret.key", { cookie: ownerA })).body.value).toBe(
      "a-only",
    );
  });
});
