/**
 * Group commit for webhook upserts. Webhooks that arrive while a batch is being written wait in a
 * queue and go to the database together, as one statement and one commit, when that batch is done.
 * Under load the batches grow on their own (32 concurrent senders → batches of ~30); alone, a webhook
 * is written at once (a batch of one). Each caller's promise settles after its batch committed, so a
 * webhook is still acknowledged only once it is stored.
 *
 * - Inputs sharing a key (`keysOf`) never share a batch: the later one waits for the next, so they are
 *   written in arrival order (PostgreSQL cannot upsert one row twice in one statement anyway).
 * - One batch is written at a time per process: concurrent multi-row statements could lock the same
 *   rows in different orders and deadlock.
 * - A failed batch is retried one input at a time, so one bad input fails only its own caller.
 */
export interface BatcherOptions<I> {
  /** Most inputs per batch. 1 turns batching off (each input its own statement, as before). */
  maxBatch: number;
  /** Most bytes of inputs per batch (`sizeOf`), so a few huge payloads do not make a huge statement. */
  maxBytes: number;
  sizeOf: (input: I) => number;
  /** Identities that may appear at most once in a batch. */
  keysOf: (input: I) => string[];
  /** Called with each batch's size (metrics). */
  onBatch?: (size: number) => void;
}

interface Pending<I, O> {
  input: I;
  /** `keysOf` and `sizeOf` of the input, taken once at submit (an input may wait through batches). */
  keys: string[];
  size: number;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

export function createBatcher<I, O>(write: (inputs: I[]) => Promise<O[]>, options: BatcherOptions<I>) {
  let queue: Pending<I, O>[] = [];
  let writing = false;

  /** Takes the next batch off the queue: arrival order, skipping inputs whose key is taken. */
  function take() {
    const batch: Pending<I, O>[] = [];
    const rest: Pending<I, O>[] = [];
    const taken = new Set<string>();
    let bytes = 0;
    for (const pending of queue) {
      const { keys, size } = pending;
      const fits =
        batch.length < options.maxBatch &&
        (batch.length === 0 || bytes + size <= options.maxBytes) &&
        !keys.some((key) => taken.has(key));
      // A skipped input's keys stay taken, so nothing behind it with the same key overtakes it.
      for (const key of keys) taken.add(key);
      if (fits) {
        batch.push(pending);
        bytes += size;
      } else rest.push(pending);
    }
    queue = rest;
    return batch;
  }

  async function writeBatch(batch: Pending<I, O>[]) {
    options.onBatch?.(batch.length);
    try {
      const outputs = await write(batch.map((p) => p.input));
      for (const [i, pending] of batch.entries()) pending.resolve(outputs[i]!);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const pending of batch) {
        try {
          const [output] = await write([pending.input]);
          pending.resolve(output!);
        } catch (single) {
          pending.reject(single);
        }
      }
    }
  }

  async function drain() {
    try {
      while (queue.length > 0) await writeBatch(take());
    } finally {
      writing = false;
    }
  }

  return {
    /** Resolves with the input's output once the batch holding it is committed. */
    submit(input: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        queue.push({ input, keys: options.keysOf(input), size: options.sizeOf(input), resolve, reject });
        if (writing) return;
        writing = true;
        // Webhooks read in the same turn of the event loop join the first batch.
        setImmediate(() => void drain());
      });
    },
    /** Inputs waiting (not yet in a batch being written). */
    get waiting() {
      return queue.length;
    },
  };
}
