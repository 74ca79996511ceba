import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, realpath, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../lib/app-error.js";
import {
  contentTypeOf,
  DEFAULT_PRESIGN_TTL_SECONDS,
  isSafeKey,
  type ListOptions,
  type ObjectPage,
  type ObjectStorage,
  pageSizeOf,
  type StoredObject,
} from "./object-storage.js";
import { signedFileUrl, type UrlSigner } from "./signed-urls.js";

export interface LocalStorageOptions {
  /** STORAGE_DIR: every key is a path under this folder. */
  root: string;
  /** LabelFleet's public URL: signed URLs point at its `/api/storage/files` route. */
  publicUrl: string;
  signer: UrlSigner;
  presignTtlSeconds?: number;
}

interface Entry {
  name: string;
  /** `name` for files, `name/` for folders: sorting on it gives S3's key order across folders. */
  sortName: string;
  isDir: boolean;
}

const byName = (a: Entry, b: Entry) => (a.sortName < b.sortName ? -1 : a.sortName > b.sortName ? 1 : 0);

/** First index whose sortName is >= `bound`, backing up onto a folder that may hold keys >= bound. */
function lowerBound(entries: Entry[], bound: string) {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.sortName < bound) lo = mid + 1;
    else hi = mid;
  }
  const previous = entries[lo - 1];
  if (previous?.isDir && bound.startsWith(previous.sortName)) lo -= 1;
  return lo;
}

const notFound = (key: string) => new AppError("NOT_FOUND", `Object ${key} not found`);
const isMissing = (error: unknown) =>
  ["ENOENT", "ENOTDIR"].includes((error as NodeJS.ErrnoException).code ?? "");

/**
 * The embedded object storage: a folder (STORAGE_DIR). Keys map to files under it; `..`, absolute
 * keys and symbolic links are refused so a key can never reach outside the folder. Listing walks
 * folders in key order and seeks to the cursor with a binary search, with a small cache of sorted
 * folder listings so paging through a folder of a million files does not re-sort it per page.
 */
export function createLocalStorage(options: LocalStorageOptions): ObjectStorage & { root: string } {
  const root = path.resolve(options.root);
  const ttl = options.presignTtlSeconds ?? DEFAULT_PRESIGN_TTL_SECONDS;
  const cache = new Map<string, { mtimeMs: number; entries: Entry[] }>();
  let realRoot: string | undefined;

  async function entriesOf(dir: string): Promise<Entry[]> {
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(dir)).mtimeMs;
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const cached = cache.get(dir);
    if (cached && cached.mtimeMs === mtimeMs) return cached.entries;
    const entries: Entry[] = [];
    for (const dirent of await readdir(dir, { withFileTypes: true })) {
      // Symbolic links are not followed: they could point outside the storage folder.
      if (dirent.isDirectory()) entries.push({ name: dirent.name, sortName: `${dirent.name}/`, isDir: true });
      else if (dirent.isFile() && !dirent.name.startsWith(".lf-tmp-"))
        entries.push({ name: dirent.name, sortName: dirent.name, isDir: false });
    }
    entries.sort(byName);
    if (cache.size >= 32) cache.delete(cache.keys().next().value as string);
    cache.set(dir, { mtimeMs, entries });
    return entries;
  }

  /** The absolute path of `key`, after checking the key and that no link leads outside the root. */
  async function fileOf(key: string): Promise<string> {
    if (!isSafeKey(key) || key.endsWith("/")) throw new AppError("BAD_REQUEST", `Invalid object key: ${key}`);
    const file = path.join(root, ...key.split("/"));
    realRoot ??= await realpath(root).catch(() => root);
    const real = await realpath(file).catch((error: unknown) => {
      if (isMissing(error)) throw notFound(key);
      throw error;
    });
    if (!real.startsWith(realRoot + path.sep)) throw notFound(key);
    return real;
  }

  async function list(prefix: string, listOptions?: ListOptions): Promise<ObjectPage> {
    if (prefix !== "" && !isSafeKey(prefix)) throw new AppError("BAD_REQUEST", `Invalid prefix: ${prefix}`);
    const limit = pageSizeOf(listOptions);
    const cursor = listOptions?.cursor ?? "";
    const objects: StoredObject[] = [];
    let full = false;

    // Depth-first over folders in key order; returns false to stop (page full, or past the prefix).
    async function walk(dirKey: string): Promise<boolean> {
      const entries = await entriesOf(path.join(root, ...dirKey.split("/").filter(Boolean)));
      const relative = (bound: string) => (bound.startsWith(dirKey) ? bound.slice(dirKey.length) : "");
      const fromPrefix = lowerBound(entries, relative(prefix));
      const fromCursor = cursor && cursor > dirKey ? lowerBound(entries, relative(cursor)) : 0;
      for (let i = Math.max(fromPrefix, fromCursor); i < entries.length; i++) {
        const entry = entries[i]!;
        const key = dirKey + entry.sortName;
        const inPrefix = key.startsWith(prefix) || (entry.isDir && prefix.startsWith(key));
        if (!inPrefix) {
          if (key > prefix) return false;
          continue;
        }
        if (entry.isDir) {
          // Every key under the folder is below the cursor unless the cursor lies inside it.
          if (cursor && key < cursor && !cursor.startsWith(key)) continue;
          if (!(await walk(key))) return false;
        } else if (!cursor || key > cursor) {
          const { size } = await stat(path.join(root, ...key.split("/")));
          objects.push({ key, size });
          if (objects.length >= limit) {
            full = true;
            return false;
          }
        }
      }
      return true;
    }

    await walk("");
    const last = objects.at(-1);
    // A full page may be the last one; the next call then returns an empty page with a null cursor.
    return { objects, nextCursor: full && last ? last.key : null };
  }

  return {
    kind: "local",
    root,
    list,

    async presignGet(key: string, ttlSeconds = ttl) {
      if (!isSafeKey(key)) throw new AppError("BAD_REQUEST", `Invalid object key: ${key}`);
      return signedFileUrl(options.publicUrl, options.signer, key, ttlSeconds);
    },

    async put(key: string, body: Uint8Array | string) {
      if (!isSafeKey(key) || key.endsWith("/"))
        throw new AppError("BAD_REQUEST", `Invalid object key: ${key}`);
      const file = path.join(root, ...key.split("/"));
      await mkdir(path.dirname(file), { recursive: true });
      // Write then rename: a reader never sees half a file, and a listing never lists a temp name.
      const temp = path.join(path.dirname(file), `.lf-tmp-${randomBytes(6).toString("hex")}`);
      await writeFile(temp, body);
      await rename(temp, file);
      cache.delete(path.dirname(file));
    },

    async get(key: string) {
      const file = await fileOf(key);
      try {
        const info = await stat(file);
        if (!info.isFile()) throw notFound(key);
        return { body: await readFile(file), contentType: contentTypeOf(key) };
      } catch (error) {
        if (isMissing(error)) throw notFound(key);
        throw error;
      }
    },

    async exists(key: string) {
      try {
        const info = await stat(await fileOf(key));
        return info.isFile();
      } catch (error) {
        if (error instanceof AppError && error.code === "NOT_FOUND") return false;
        throw error;
      }
    },
  };
}
