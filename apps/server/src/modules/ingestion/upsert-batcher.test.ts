import { describe, expect, it } from "vitest";
import { createBatcher } from "./upsert-batcher.js";

interface Input {
  id: number;
  key: string;
  bytes?: number;
  fail?: boolean;
}

/** A batcher over a recording writer: each batch's ids, and how many batches were in flight. */
function harness(options: { maxBatch?: number; maxBytes?: number; delayMs?: number } = {}) {
  const batches: number[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const batcher = createBatcher<Input, string>(
    async (inputs) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      batches.push(inputs.map((i) => i.id));
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 5));
      inFlight--;
      if (inputs.some((i) => i.fail)) throw new Error(`batch of ${inputs.length} failed`);
      return inputs.map((i) => `out-${i.id}`);
    },
    {
      maxBatch: options.maxBatch ?? 100,
      maxBytes: options.maxBytes ?? 1_000_000,
      sizeOf: (input) => input.bytes ?? 1,
      keysOf: (input) => [input.key],
    },
  );
  return { batcher, batches, maxInFlight: () => maxInFlight };
}

describe("createBatcher (group commit of webhook upserts)", () => {
  it("writes inputs submitted together as one batch and answers each caller with its own output", async () => {
    const h = harness();
    const outputs = await Promise.all([1, 2, 3].map((id) => h.batcher.submit({ id, key: `k${id}` })));
    expect(outputs).toEqual(["out-1", "out-2", "out-3"]);
    expect(h.batches).toEqual([[1, 2, 3]]);
  });

  it("writes one batch at a time; what arrives meanwhile goes together in the next", async () => {
    const h = harness({ delayMs: 20 });
    const first = h.batcher.submit({ id: 1, key: "a" });
    await new Promise((resolve) => setTimeout(resolve, 5)); // batch [1] is being written
    const later = [2, 3, 4].map((id) => h.batcher.submit({ id, key: `k${id}` }));
    await Promise.all([first, ...later]);
    expect(h.batches).toEqual([[1], [2, 3, 4]]);
    expect(h.maxInFlight()).toBe(1);
  });

  it.each([
    {
      name: "same key: later input waits for the next batch",
      inputs: ["a", "b", "a", "c"],
      batches: [[0, 1, 3], [2]],
    },
    {
      name: "a key seen twice keeps arrival order across batches",
      inputs: ["a", "a", "a"],
      batches: [[0], [1], [2]],
    },
    {
      name: "an input behind a deferred one with its key is deferred too",
      inputs: ["a", "a", "b"],
      batches: [[0, 2], [1]],
    },
  ])("$name", async ({ inputs, batches }) => {
    const h = harness();
    await Promise.all(inputs.map((key, id) => h.batcher.submit({ id, key })));
    expect(h.batches).toEqual(batches);
  });

  it("respects maxBatch and maxBytes (a single oversized input still goes alone)", async () => {
    const bySize = harness({ maxBatch: 2 });
    await Promise.all([0, 1, 2, 3, 4].map((id) => bySize.batcher.submit({ id, key: `k${id}` })));
    expect(bySize.batches).toEqual([[0, 1], [2, 3], [4]]);

    const byBytes = harness({ maxBytes: 10 });
    await Promise.all([6, 6, 50, 3].map((bytes, id) => byBytes.batcher.submit({ id, key: `k${id}`, bytes })));
    expect(byBytes.batches).toEqual([[0, 3], [1], [2]]);
  });

  it("retries a failed batch one input at a time, so only the bad input's caller sees the error", async () => {
    const h = harness();
    const results = await Promise.allSettled([
      h.batcher.submit({ id: 1, key: "a" }),
      h.batcher.submit({ id: 2, key: "b", fail: true }),
      h.batcher.submit({ id: 3, key: "c" }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(results[0]).toMatchObject({ value: "out-1" });
    expect(h.batches).toEqual([[1, 2, 3], [1], [2], [3]]);
    // The batcher keeps working after a failure.
    await expect(h.batcher.submit({ id: 4, key: "d" })).resolves.toBe("out-4");
    expect(h.batcher.waiting).toBe(0);
  });
});
