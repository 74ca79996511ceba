import { describe, expect, it } from "vitest";
import { createTestApp } from "../../../test/helpers/test-app.js";

describe("GET /api/health", () => {
  it("answers 503 when the database is unreachable", async () => {
    const t = await createTestApp();
    expect((await t.request("GET", "/api/health")).status).toBe(200);
    await t.services.database.close();
    const response = await t.request("GET", "/api/health");
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ status: "error", database: "unreachable" });
    await t.close().catch(() => {}); // the database is already closed
  });
});
