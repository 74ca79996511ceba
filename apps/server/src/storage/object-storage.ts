/**
 * The object-storage port (DESIGN §2): S3 at scale, a local folder when embedded. Chosen once at
 * startup (`createObjectStorage`); nothing outside storage/ branches on the kind.
 *
 * Keys are `/`-separated paths without a leading `/`. Listings are in key order (S3's order) and
 * paged by a cursor that is simply the last key returned, so a cursor stays valid across restarts
 * and across adapters (S3 `StartAfter`), which is what makes item syncs resumable.
 */

export const STORAGE_KINDS = ["s3", "local"] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

export interface StoredObject {
  key: string;
  size: number;
}

export interface ObjectPage {
  objects: StoredObject[];
  /** The cursor of the next page (the last key of this one), or null when the listing is complete. */
  nextCursor: string | null;
}

export interface ListOptions {
  /** Resume after this key (exclusive); null/undefined starts at the beginning of the prefix. */
  cursor?: string | null | undefined;
  /** Keys per page (1-1000, default 1000). */
  pageSize?: number | undefined;
}

export interface ObjectStorage {
  readonly kind: StorageKind;
  /** One page of the keys under `prefix`, in key order, after `cursor`. */
  list(prefix: string, options?: ListOptions): Promise<ObjectPage>;
  /** A URL anyone can GET for `ttlSeconds` (LS instances fetch task images through it). */
  presignGet(key: string, ttlSeconds?: number): Promise<string>;
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** The object's bytes; throws AppError NOT_FOUND when absent. */
  get(key: string): Promise<{ body: Buffer; contentType: string }>;
  exists(key: string): Promise<boolean>;
}

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PRESIGN_TTL_SECONDS = 3600;

export const pageSizeOf = (options?: ListOptions) =>
  Math.min(Math.max(Math.trunc(options?.pageSize ?? MAX_PAGE_SIZE), 1), MAX_PAGE_SIZE);

const CONTENT_TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  bmp: "image/bmp",
  webp: "image/webp",
  tif: "image/tiff",
  tiff: "image/tiff",
  svg: "image/svg+xml",
  avif: "image/avif",
  heic: "image/heic",
  txt: "text/plain; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  tsv: "text/tab-separated-values; charset=utf-8",
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  xml: "application/xml",
  json: "application/json",
  jsonl: "application/x-ndjson",
  ndjson: "application/x-ndjson",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  ogg: "audio/ogg",
  flac: "audio/flac",
  m4a: "audio/mp4",
  aac: "audio/aac",
  opus: "audio/opus",
  mp4: "video/mp4",
  m4v: "video/mp4",
  webm: "video/webm",
  mov: "video/quicktime",
  mkv: "video/x-matroska",
  avi: "video/x-msvideo",
};

const extensionOf = (key: string) => {
  const name = key.slice(key.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
};

/** The MIME type of a key from its extension (octet-stream when unknown). */
export const contentTypeOf = (key: string): string =>
  CONTENT_TYPES[extensionOf(key)] ?? "application/octet-stream";

/**
 * True for keys that become items: images, text, audio, video and JSON-like files, judged by
 * extension. Folder markers (`…/`), hidden files (`.DS_Store`) and anything else are skipped.
 */
export function isItemKey(key: string): boolean {
  if (key.endsWith("/")) return false;
  const name = key.slice(key.lastIndexOf("/") + 1);
  if (name.startsWith(".")) return false;
  return extensionOf(key) in CONTENT_TYPES;
}

/** Keys are relative `/` paths; `..`, `.`, empty segments, backslashes and control chars are refused. */
export function isSafeKey(key: string): boolean {
  if (key.length === 0 || key.length > 1024 || key.startsWith("/")) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\\\u0000-\u001f\u007f]/.test(key)) return false;
  const segments = key.split("/");
  return segments.every((s, i) => (s === "" ? i === segments.length - 1 : s !== "." && s !== ".."));
}
