import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** Debounced, atomic JSON persistence of the simulator state. */
export interface Persister {
  /** Schedules a write after the debounce window. */
  schedule(): void;
  /** Writes now, synchronously (shutdown, crash fault). */
  flushSync(): void;
  /** Waits for any pending write to finish. */
  flush(): Promise<void>;
  /** Cancels the timer without writing. */
  cancel(): void;
}

/**
 * Writes `snapshot()` to `file` via a temp file + rename so that a killed process never leaves a
 * half-written state file. Writes are debounced because a bulk import mutates state many times.
 */
export function createPersister(file: string, snapshot: () => unknown, debounceMs = 50): Persister {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();

  const writeAsync = (): Promise<void> => {
    writing = writing.then(async () => {
      await writeFile(tmp, JSON.stringify(snapshot()));
      await rename(tmp, file);
    });
    return writing;
  };

  return {
    schedule() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        writeAsync().catch((err: unknown) => console.error("ls-sim: state write failed", err));
      }, debounceMs);
    },
    flushSync() {
      if (timer) clearTimeout(timer);
      timer = null;
      writeFileSync(tmp, JSON.stringify(snapshot()));
      renameSync(tmp, file);
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        timer = null;
        await writeAsync();
      }
      await writing;
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
