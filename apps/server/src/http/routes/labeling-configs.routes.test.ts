import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { goldTasks } from "../../db/schema/index.js";

let t: TestApp;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
});
afterAll(() => t.close());

const SPEC_XML =
  '<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="car"/><Label value="person"/></RectangleLabels></View>';

describe("/api/labeling-configs", () => {
  it("runs the spec's example pipeline step 2 verbatim and reports usage", async () => {
    const created = await t.request("POST", "/api/labeling-configs", {
      cookie,
      body: { name: "Object Detection", configXml: SPEC_XML },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "Object Detection",
      workflowCount: 0,
      goldTaskCount: 0,
      isLocked: false,
    });
  });

  it.each([
    ["missing name", { configXml: SPEC_XML }, /Validation failed/],
    ["name over 100 chars", { name: "x".repeat(101), configXml: SPEC_XML }, /Validation failed/],
    ["missing configXml", { name: "n" }, /Validation failed/],
    [
      "XML over 50,000 chars",
      { name: "n", configXml: `<View>${" ".repeat(50_000)}</View>` },
      /Validation failed/,
    ],
    ["malformed XML", { name: "n", configXml: "<View><Image name='i' value='$i'></View>" }, /Malformed XML/],
    ["XML without View", { name: "n", configXml: '<Root><Image name="i" value="$i"/></Root>' }, /<View>/],
    ["XML without object tag", { name: "n", configXml: '<View><Header value="x"/></View>' }, /no object tag/],
    [
      "a DOCTYPE/entity bomb",
      {
        name: "n",
        configXml:
          '<?xml version="1.0"?><!DOCTYPE b [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><View><Text name="t" value="&b;"/></View>',
      },
      /DOCTYPE/,
    ],
  ])("refuses %s with 400", async (_, body, message) => {
    const response = await t.request("POST", "/api/labeling-configs", { cookie, body });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(message);
    expect(Array.isArray(response.body.details)).toBe(true);
  });

  it("locks the XML while gold tasks reference the config, and refuses deletion while referenced", async () => {
    const config = (
      await t.request("POST", "/api/labeling-configs", {
        cookie,
        body: { name: "Locked", configXml: SPEC_XML },
      })
    ).body;
    const [organization] = await t.services.organizations.list();
    await t.db.insert(goldTasks).values({
      organizationId: organization!.id,
      s3ImageKey: "gold/1.jpg",
      expectedLabels: [],
      labelingConfigId: config.id,
    });
    const got = await t.request("GET", `/api/labeling-configs/${config.id}`, { cookie });
    expect(got.body).toMatchObject({ goldTaskCount: 1, isLocked: true });
    const edit = await t.request("PUT", `/api/labeling-configs/${config.id}`, {
      cookie,
      body: { configXml: SPEC_XML.replace("person", "bike") },
    });
    expect(edit.status).toBe(409);
    const rename = await t.request("PUT", `/api/labeling-configs/${config.id}`, {
      cookie,
      body: { name: "Renamed" },
    });
    expect(rename.status).toBe(200);
    expect(rename.body.name).toBe("Renamed");
    const unchangedXml = await t.request("PUT", `/api/labeling-configs/${config.id}`, {
      cookie,
      body: { configXml: SPEC_XML },
    });
    expect(unchangedXml.status).toBe(200);
    expect((await t.request("DELETE", `/api/labeling-configs/${config.id}`, { cookie })).status).toBe(409);
  });

  it("validates XML on update and deletes an unused config", async () => {
    const config = (
      await t.request("POST", "/api/labeling-configs", {
        cookie,
        body: { name: "Free", configXml: SPEC_XML },
      })
    ).body;
    const bad = await t.request("PUT", `/api/labeling-configs/${config.id}`, {
      cookie,
      body: { configXml: "<View/>" },
    });
    expect(bad.status).toBe(400);
    expect((await t.request("DELETE", `/api/labeling-configs/${config.id}`, { cookie })).status).toBe(200);
    expect((await t.request("GET", `/api/labeling-configs/${config.id}`, { cookie })).status).toBe(404);
  });
});
