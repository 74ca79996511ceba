import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";

let t: TestApp;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
});
afterAll(() => t.close());

describe("/api/settings", () => {
  it("upserts any JSON value and reads it back", async () => {
    for (const value of ["my-bucket", 0.8, { nested: [1, true, null] }, false, null]) {
      const put = await t.request("PUT", "/api/settings/s3.bucket", { cookie, body: { value } });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ key: "s3.bucket", value });
    }
    const described = await t.request("PUT", "/api/settings/quality.accuracyThreshold", {
      cookie,
      body: { value: 0.75, description: "gold accuracy threshold" },
    });
    expect(described.body.description).toBe("gold accuracy threshold");
    const list = await t.request("GET", "/api/settings", { cookie });
    expect(list.body.map((s: { key: string }) => s.key)).toEqual(["quality.accuracyThreshold", "s3.bucket"]);
    expect(list.headers.get("x-total-count")).toBe("2");
  });

  it("answers 404 for an unknown key and 400 for a missing value or a bad key", async () => {
    expect((await t.request("GET", "/api/settings/nope", { cookie })).status).toBe(404);
    expect((await t.request("PUT", "/api/settings/k", { cookie, body: {} })).status).toBe(400);
    expect((await t.request("PUT", "/api/settings/bad%20key", { cookie, body: { value: 1 } })).status).toBe(
      400,
    );
    const long = await t.request("PUT", "/api/settings/k", {
      cookie,
      body: { value: 1, description: "x".repeat(501) },
    });
    expect(long.status).toBe(400);
  });
});
