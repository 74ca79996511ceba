import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/test-app.js";

type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};

/** Operations that take no body by design (POST actions). */
const NO_BODY = new Set(["signOut"]);

let t: TestApp;
let spec: { paths: Record<string, Record<string, Operation>> };
beforeAll(async () => {
  t = await createTestApp();
  spec = (await t.request("GET", "/api/openapi.json")).body;
});
afterAll(() => t.close());

const operations = () =>
  Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );

describe("the OpenAPI contract", () => {
  it("documents every operation with an id, a summary, tags and a JSON success schema", () => {
    expect(operations().length).toBeGreaterThan(15);
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(op.summary, where).toBeTruthy();
      expect(op.tags?.length, where).toBeGreaterThan(0);
      const success = Object.entries(op.responses).filter(([status]) => status.startsWith("2"));
      expect(success.length, where).toBeGreaterThan(0);
      for (const [, response] of success)
        expect(response.content?.["application/json"]?.schema, where).toBeDefined();
      if ((method === "post" || method === "put" || method === "patch") && !NO_BODY.has(op.operationId!)) {
        expect(op.requestBody, `${where} has no request schema`).toBeDefined();
      }
    }
  });

  it("has unique operation ids", () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("declares the error shape on write operations", () => {
    for (const { op, method } of operations()) {
      if (method === "get") continue;
      expect(op.responses["400"], op.operationId).toBeDefined();
    }
  });
});
