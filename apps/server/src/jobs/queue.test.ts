import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createTestDatabase, onPostgres } from "../../test/helpers/database.js";
import type { Database } from "../db/client.js";
import { createLogger } from "../lib/logger.js";
import { createJobCatalog, defineJob } from "./catalog.js";
import { createJobQueue } from "./queue.js";
import { createWorker } from "./worker.js";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const log = createLogger("silent");

describe("job queue and worker", () => {
  it("runs a job, retries a failure with backoff, and fails for good after maxAttempts", async () => {
    const queue = createJobQueue(database.db);
    const catalog = createJobCatalog();
    const seen: number[] = [];
    let flaky = 0;
    catalog.register(
      defineJob({
        name: "test.echo",
        payload: z.object({ n: z.number() }),
        handler: async ({ n }) => {
          seen.push(n);
        },
      }),
    );
    catalog.register(
      defineJob({
        name: "test.flaky",
        payload: z.object({}),
        backoffMs: () => 0,
        handler: async () => {
          flaky++;
          if (flaky < 3) throw new Error("transient");
        },
      }),
    );
    catalog.register(
      defineJob({
        name: "test.broken",
        payload: z.object({}),
        maxAttempts: 2,
        backoffMs: () => 0,
        handler: async () => {
          throw new Error("always");
        },
      }),
    );
    const worker = createWorker({ queue, catalog, log });
    await queue.send("test.echo", { n: 1 });
    await queue.send("test.echo", { n: 2 });
    await queue.send("test.flaky", {});
    await queue.send("test.broken", {}, { maxAttempts: 2 });
    await queue.send("test.echo", { n: "not a number" });
    await worker.drain();
    expect(seen.sort()).toEqual([1, 2]);
    expect(flaky).toBe(3);
    const stats = await queue.stats();
    const count = (name: string, status: string) =>
      stats.find((s) => s.name === name && s.status === status)?.count ?? 0;
    expect(count("test.echo", "completed")).toBe(2);
    expect(count("test.echo", "failed")).toBe(1); // the bad payload fails at once
    expect(count("test.flaky", "completed")).toBe(1);
    expect(count("test.broken", "failed")).toBe(1);
  });

  it("de-duplicates queued jobs by singleton key, and accepts a new one once the first ran", async () => {
    const queue = createJobQueue(database.db);
    expect(await queue.send("test.single", {}, { singletonKey: "k" })).not.toBeNull();
    expect(await queue.send("test.single", {}, { singletonKey: "k" })).toBeNull();
    const [job] = await queue.claim(["test.single"], 10, "w", 60_000);
    await queue.complete(job!.id);
    expect(await queue.send("test.single", {}, { singletonKey: "k" })).not.toBeNull();
  });

  it("leaves delayed jobs for later and re-queues jobs whose worker died", async () => {
    const queue = createJobQueue(database.db);
    await queue.send("test.later", {}, { delayMs: 60_000 });
    expect(await queue.claim(["test.later"], 10, "w", 60_000)).toEqual([]);
    await queue.send("test.dead", {});
    const [claimed] = await queue.claim(["test.dead"], 1, "dead-worker", 1);
    expect(claimed?.status).toBe("running");
    await new Promise((r) => setTimeout(r, 20));
    expect(await queue.recoverStale()).toBe(1);
    expect(await queue.claim(["test.dead"], 1, "w2", 60_000)).toHaveLength(1);
  });

  it.runIf(onPostgres)("never hands one job to two concurrent claimers", async () => {
    const queue = createJobQueue(database.db);
    for (let i = 0; i < 200; i++) await queue.send("test.race", { i });
    const batches = await Promise.all(
      Array.from({ length: 8 }, (_, w) => queue.claim(["test.race"], 40, `w${w}`, 60_000)),
    );
    const ids = batches.flat().map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(200);
  });
});
