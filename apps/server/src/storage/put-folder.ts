import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../lib/app-error.js";
import { contentTypeOf, isSafeKey, type ObjectStorage } from "./object-storage.js";

export interface PutFolderResult {
  files: number;
  bytes: number;
  /** Keys written, in the order they were written. */
  keys: string[];
}

/** `images/cars` → `images/cars/`; `/x/` → `x/`; `` stays `` (the storage root). */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/^\/+/, "");
  if (trimmed === "") return "";
  const withSlash = trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
  if (!isSafeKey(withSlash)) throw new AppError("BAD_REQUEST", `Invalid prefix: ${prefix}`);
  return withSlash;
}

async function* filesUnder(dir: string, relative = ""): AsyncGenerator<string> {
  const entries = await readdir(path.join(dir, relative), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    // Hidden files (.DS_Store, .git) are not data; links are not followed.
    if (entry.name.startsWith(".")) continue;
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* filesUnder(dir, child);
    else if (entry.isFile()) yield child;
  }
}

/**
 * Copies every file under `dir` to `<prefix><relative path>` in the object storage (S3 or the
 * local folder), a few at a time. Used by `labelfleet storage put <dir> <prefix>`.
 */
export async function putFolder(
  storage: ObjectStorage,
  dir: string,
  prefix: string,
  onFile?: (key: string, done: number) => void,
  concurrency = 8,
): Promise<PutFolderResult> {
  const base = normalizePrefix(prefix);
  const result: PutFolderResult = { files: 0, bytes: 0, keys: [] };
  const running = new Set<Promise<void>>();
  for await (const relative of filesUnder(path.resolve(dir))) {
    const key = `${base}${relative}`;
    const task = (async () => {
      const body = await readFile(path.join(dir, ...relative.split("/")));
      await storage.put(key, body, contentTypeOf(key));
      result.files++;
      result.bytes += body.length;
      result.keys.push(key);
      onFile?.(key, result.files);
    })();
    running.add(task);
    void task.finally(() => running.delete(task)).catch(() => {});
    if (running.size >= concurrency) await Promise.race(running);
  }
  await Promise.all(running);
  return result;
}
