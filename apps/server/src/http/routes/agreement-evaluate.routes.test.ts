import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";

let t: TestApp;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
});
afterAll(() => t.close());

const labelConfig =
  '<View><Image name="image" value="$image"/><Choices name="label" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices></View>';
const choice = (value: string) => [
  { from_name: "label", to_name: "image", type: "choices", value: { choices: [value] } },
];
const body = {
  labelConfig,
  participants: [
    { id: "alice", kind: "annotation", result: choice("cat") },
    { id: "bob", kind: "annotation", result: choice("cat") },
    { id: "model:v1", kind: "prediction", result: choice("dog") },
  ],
};

describe("POST /api/agreement/evaluate", () => {
  it("returns the pairwise matrix, per-dimension matrices and the mean over pairs", async () => {
    const response = await t.request("POST", "/api/agreement/evaluate", { cookie, body });
    expect(response.status).toBe(200);
    expect(response.body.participants).toEqual(["alice", "bob", "model:v1"]);
    expect(response.body.matrix).toEqual([
      [1, 1, 0],
      [1, 1, 0],
      [0, 0, 1],
    ]);
    expect(response.body.dimensions.label.matrix).toEqual(response.body.matrix);
    expect(response.body.taskAgreement).toBeCloseTo(1 / 3, 10);
  });

  it.each([
    ["malformed XML", { ...body, labelConfig: "<View>" }],
    ["an unknown metric", { ...body, dimensions: { label: { metric: "no_such_metric" } } }],
    ["an unknown dimension", { ...body, dimensions: { nope: { weight: 1 } } }],
    ["no participants list", { labelConfig }],
  ])("answers 400 for %s", async (_, payload) => {
    const response = await t.request("POST", "/api/agreement/evaluate", { cookie, body: payload });
    expect(response.status).toBe(400);
    expect(response.body.error).toBeTruthy();
  });

  it("gives the same numbers as `labelfleet agreement evaluate` on stdin", async () => {
    const main = fileURLToPath(new URL("../../main.ts", import.meta.url));
    const cli = spawnSync("npx", ["tsx", main, "agreement", "evaluate"], {
      input: JSON.stringify(body),
      encoding: "utf8",
    });
    expect(cli.status, cli.stderr).toBe(0);
    const http = await t.request("POST", "/api/agreement/evaluate", { cookie, body });
    expect(JSON.parse(cli.stdout)).toEqual(http.body);
    const bad = spawnSync("npx", ["tsx", main, "agreement", "evaluate"], { input: "{}", encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stderr.trim().split("\n").pop()!).error).toBe("Validation failed");
  });
});
