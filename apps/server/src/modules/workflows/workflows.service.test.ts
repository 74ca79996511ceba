import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres } from "../../../test/helpers/database.js";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { labelingConfigs, organizations } from "../../db/schema/index.js";
import { createWorkflowService, type WorkflowService } from "./workflows.service.js";

let t: TestApp;
let org: number;
let service: WorkflowService;
const base = { s3SourcePath: "src/", s3ExportPath: "out/" };

beforeAll(async () => {
  t = await createTestApp();
  const [row] = await t.db.select().from(organizations).where(eq(organizations.slug, "default"));
  org = row!.id;
  service = t.services.workflows;
});
afterAll(() => t.close());

describe("workflow service", () => {
  it("exposes get (presented) and getRow (plain) for other services; both 404 across tenants", async () => {
    const created = await service.create(org, { name: "svc", ...base, annotationsPerItem: 3 });
    expect(await service.get(org, created.id)).toMatchObject({ id: created.id, totalImagesAvailable: 0 });
    expect(await service.getRow(org, created.id)).toMatchObject({ annotationsPerItem: 3, syncState: null });
    await expect(service.get(org + 1, created.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(service.getRow(org + 1, created.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("tells labeling-config listeners after commit, and a failing listener fails nothing", async () => {
    const seen: unknown[] = [];
    const isolated = createWorkflowService({
      db: t.db,
      itemSync: t.services.itemSync,
      log: t.services.log,
      onLabelingConfigChanged: () => {
        throw new Error("listener bug");
      },
    });
    const off = isolated.onLabelingConfigChanged((change) => {
      seen.push(change);
    });
    const [config] = await t.db
      .insert(labelingConfigs)
      .values({ organizationId: org, name: "c", configXml: '<View><Text name="t" value="$t"/></View>' })
      .returning();
    const w = await isolated.create(org, { name: "hooked", ...base, labelingConfigId: config!.id });
    await isolated.update(org, w.id, { name: "same config", labelingConfigId: config!.id });
    await isolated.update(org, w.id, { labelingConfigId: null });
    expect(seen).toEqual([
      { organizationId: org, workflowId: w.id, labelingConfigId: config!.id, previousLabelingConfigId: null },
      { organizationId: org, workflowId: w.id, labelingConfigId: null, previousLabelingConfigId: config!.id },
    ]);
    off();
    await isolated.update(org, w.id, { labelingConfigId: config!.id });
    expect(seen).toHaveLength(2);
  });

  it.runIf(onPostgres)("never lets two concurrent re-chainings form a cycle", async () => {
    for (let round = 0; round < 10; round++) {
      const a = await service.create(org, { name: `a${round}`, ...base });
      const b = await service.create(org, { name: `b${round}`, ...base });
      const results = await Promise.allSettled([
        service.update(org, a.id, { previousWorkflowId: b.id }),
        service.update(org, b.id, { previousWorkflowId: a.id }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(rejected.reason).toMatchObject({ code: "BAD_REQUEST" });
      const [ra, rb] = [await service.getRow(org, a.id), await service.getRow(org, b.id)];
      expect(ra.previousWorkflowId === b.id && rb.previousWorkflowId === a.id).toBe(false);
    }
  });
});
