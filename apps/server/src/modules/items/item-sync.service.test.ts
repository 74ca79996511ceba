import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { items, organizations, workflows } from "../../db/schema/index.js";
import { createLogger } from "../../lib/logger.js";
import type { ListOptions, ObjectStorage } from "../../storage/object-storage.js";
import { createItemSyncService, type SyncState } from "./item-sync.service.js";
import { countWorkflowItems } from "./items.repo.js";

let t: TestApp;
let org: number;
const log = createLogger("silent");
const noJobs = { send: async () => null };

beforeAll(async () => {
  t = await createTestApp();
  const [row] = await t.db.select().from(organizations).where(eq(organizations.slug, "default"));
  org = row!.id;
  // 25 images, 3 files that are not items, and a neighbour folder that shares the prefix's start.
  for (let i = 0; i < 25; i++)
    await t.services.storage.put(`sync/set/${String(i).padStart(2, "0")}.jpg`, "img");
  for (const key of ["sync/set/notes.bin", "sync/set/.hidden.jpg", "sync/set/readme"]) {
    await t.services.storage.put(key, "x");
  }
  await t.services.storage.put("sync/settings/other.jpg", "img");
});
afterAll(() => t.close());

async function newWorkflow(prefix: string) {
  const [row] = await t.db
    .insert(workflows)
    .values({ organizationId: org, name: `w ${prefix}`, s3SourcePath: prefix, s3ExportPath: "out/" })
    .returning({ id: workflows.id });
  return row!.id;
}

const itemKeys = async (workflowId: number) =>
  (
    await t.db
      .select({ key: items.sourceKey })
      .from(items)
      .where(eq(items.workflowId, workflowId))
      .orderBy(items.sourceKey)
  ).map((r) => r.key);

/** Storage whose list() fails on the `failOn`-th call, and that records the cursors it was given. */
function flakyStorage(failOn: number) {
  const cursors: (string | null | undefined)[] = [];
  const storage: ObjectStorage = {
    ...t.services.storage,
    async list(prefix: string, options?: ListOptions) {
      cursors.push(options?.cursor);
      if (cursors.length === failOn) throw new Error("storage went away");
      return t.services.storage.list(prefix, options);
    },
  };
  return { storage, cursors };
}

describe("syncItems", () => {
  it("inserts one source item per item key, page by page, reporting progress", async () => {
    const workflowId = await newWorkflow("sync/set/");
    const sync = createItemSyncService({
      db: t.db,
      storage: t.services.storage,
      log,
      jobs: noJobs,
      pageSize: 10,
    });
    const progress: SyncState[] = [];
    const state = await sync.syncItems({ organizationId: org, workflowId }, (s) => progress.push({ ...s }));
    expect(state).toMatchObject({ listed: 28, skipped: 3, inserted: 25, done: true, prefix: "sync/set/" });
    expect(progress.map((p) => p.listed)).toEqual([10, 20, 28]);
    expect(progress.map((p) => p.done)).toEqual([false, false, true]);
    const keys = await itemKeys(workflowId);
    expect(keys).toHaveLength(25);
    expect(keys[0]).toBe("sync/set/00.jpg");
    expect(keys).not.toContain("sync/settings/other.jpg");
    const [item] = await t.db.select().from(items).where(eq(items.workflowId, workflowId)).limit(1);
    expect(item).toMatchObject({ kind: "source", state: "CREATED", organizationId: org, assignedCount: 0 });
    expect(item!.storageKey).toBe(item!.sourceKey);
    const [stored] = await t.db
      .select({ s: workflows.syncState })
      .from(workflows)
      .where(eq(workflows.id, workflowId));
    expect(stored!.s).toMatchObject({ done: true, inserted: 25 });
  });

  it("is idempotent: a re-run lists again and only adds keys that are new", async () => {
    const workflowId = await newWorkflow("sync/set/");
    const sync = createItemSyncService({
      db: t.db,
      storage: t.services.storage,
      log,
      jobs: noJobs,
      pageSize: 7,
    });
    await sync.syncItems({ organizationId: org, workflowId });
    const again = await sync.syncItems({ organizationId: org, workflowId });
    expect(again).toMatchObject({ listed: 28, inserted: 0, done: true });
    await t.services.storage.put("sync/set/99.png", "img");
    const third = await sync.syncItems({ organizationId: org, workflowId });
    expect(third).toMatchObject({ listed: 29, inserted: 1, done: true });
    expect(await itemKeys(workflowId)).toHaveLength(26);
  });

  it("resumes after a crash at the last committed page, without duplicates", async () => {
    await t.services.storage.put("resume/a.jpg", "x");
    for (let i = 0; i < 30; i++)
      await t.services.storage.put(`resume/k${String(i).padStart(2, "0")}.jpg`, "x");
    const workflowId = await newWorkflow("resume/");
    const flaky = flakyStorage(3);
    const first = createItemSyncService({ db: t.db, storage: flaky.storage, log, jobs: noJobs, pageSize: 8 });
    await expect(first.syncItems({ organizationId: org, workflowId })).rejects.toThrow("storage went away");
    expect(await itemKeys(workflowId)).toHaveLength(16);
    const status = await first.status(org, workflowId);
    expect(status).toMatchObject({ listed: 16, inserted: 16, done: false, cursor: "resume/k14.jpg" });

    const healthy = flakyStorage(Number.POSITIVE_INFINITY);
    const second = createItemSyncService({
      db: t.db,
      storage: healthy.storage,
      log,
      jobs: noJobs,
      pageSize: 8,
    });
    const state = await second.syncItems({ organizationId: org, workflowId });
    expect(healthy.cursors[0]).toBe("resume/k14.jpg");
    expect(state).toMatchObject({ listed: 31, inserted: 31, done: true });
    expect(await itemKeys(workflowId)).toHaveLength(31);

    // restart: lists from the beginning again (and inserts nothing new).
    const fresh = flakyStorage(Number.POSITIVE_INFINITY);
    const third = createItemSyncService({ db: t.db, storage: fresh.storage, log, jobs: noJobs, pageSize: 8 });
    await third.syncItems({ organizationId: org, workflowId, restart: true });
    expect(fresh.cursors[0]).toBeNull();
  });

  it("stops a run that another run has taken over, without committing its page", async () => {
    const workflowId = await newWorkflow("sync/set/");
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const slow: ObjectStorage = {
      ...t.services.storage,
      async list(prefix, options) {
        calls++;
        const page = await t.services.storage.list(prefix, options);
        if (calls === 2) await gate;
        return page;
      },
    };
    const stale = createItemSyncService({ db: t.db, storage: slow, log, jobs: noJobs, pageSize: 10 });
    const running = stale.syncItems({ organizationId: org, workflowId });
    while (calls < 2) await new Promise((r) => setTimeout(r, 5));
    const fresh = createItemSyncService({
      db: t.db,
      storage: t.services.storage,
      log,
      jobs: noJobs,
      pageSize: 10,
    });
    expect(await fresh.syncItems({ organizationId: org, workflowId, restart: true })).toMatchObject({
      done: true,
    });
    release();
    expect(await running).toBeNull();
    // The stale run's second page was rolled back: the stored progress is the fresh run's.
    const keys = (await t.services.storage.list("sync/set/")).objects;
    const status = await fresh.status(org, workflowId);
    expect(status).toMatchObject({ listed: keys.length, done: true, status: "done" });
    expect(status.totalImagesAvailable).toBe((await itemKeys(workflowId)).length);
  });

  it("restarts on the new source path when it changes mid-sync", async () => {
    await t.services.storage.put("renamed/a.jpg", "x");
    await t.services.storage.put("renamed/b.jpg", "x");
    const workflowId = await newWorkflow("sync/set/");
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const slow: ObjectStorage = {
      ...t.services.storage,
      async list(prefix, options) {
        calls++;
        const page = await t.services.storage.list(prefix, options);
        if (calls === 2) await gate;
        return page;
      },
    };
    const sync = createItemSyncService({ db: t.db, storage: slow, log, jobs: noJobs, pageSize: 10 });
    const running = sync.syncItems({ organizationId: org, workflowId });
    while (calls < 2) await new Promise((r) => setTimeout(r, 5));
    await t.db.update(workflows).set({ s3SourcePath: "renamed/" }).where(eq(workflows.id, workflowId));
    release();
    expect(await running).toMatchObject({ prefix: "renamed/", listed: 2, inserted: 2, done: true });
    // The first page of the old prefix stays; its second page was never committed.
    const keys = await itemKeys(workflowId);
    expect(keys.filter((k) => k.startsWith("renamed/"))).toEqual(["renamed/a.jpg", "renamed/b.jpg"]);
    expect(keys.filter((k) => k.startsWith("sync/set/")).length).toBeLessThanOrEqual(10);
  });

  it("counts available (non-gold) and assigned items", async () => {
    const workflowId = await newWorkflow("sync/set/");
    const sync = createItemSyncService({
      db: t.db,
      storage: t.services.storage,
      log,
      jobs: noJobs,
      pageSize: 100,
    });
    await sync.syncItems({ organizationId: org, workflowId });
    await t.db
      .update(items)
      .set({ assignedCount: 1 })
      .where(and(eq(items.workflowId, workflowId), sql`${items.sourceKey} like 'sync/set/0%'`));
    await t.db.insert(items).values({
      organizationId: org,
      workflowId,
      kind: "gold",
      sourceKey: "gold:1",
      storageKey: "gold/1.jpg",
      assignedCount: 3,
    });
    expect(await countWorkflowItems(t.db, org, workflowId)).toEqual({ available: 26, assigned: 10 });
    expect(await countWorkflowItems(t.db, org + 1000, workflowId)).toEqual({ available: 0, assigned: 0 });
  });

  it("ignores a workflow that no longer exists (a queued job after a delete)", async () => {
    const sync = createItemSyncService({
      db: t.db,
      storage: t.services.storage,
      log,
      jobs: noJobs,
      pageSize: 10,
    });
    expect(await sync.syncItems({ organizationId: org, workflowId: 999_999 })).toBeNull();
  });
});
