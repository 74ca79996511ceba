import type { Context } from "hono";
import { LsError, validationError } from "./errors.js";
import { isRecord } from "./util.js";

/**
 * Reads a request body the way DRF's JSON/Form/MultiPart parsers do.
 * Malformed JSON is a 400 with a `detail`, like DRF's ParseError.
 */
export async function readBody(c: Context): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (type.includes("multipart/form-data") || type.includes("application/x-www-form-urlencoded")) {
    const form = await c.req.formData();
    const out: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) out[key] = value;
    return out;
  }
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new LsError(400, `JSON parse error - ${(err as Error).message}`);
  }
}

/** Reads a body that must be a JSON object (serializer input). */
export async function readObject(c: Context): Promise<Record<string, unknown>> {
  const body = await readBody(c);
  if (!isRecord(body)) {
    throw validationError({ non_field_errors: ["Invalid data. Expected a dictionary, but got list."] });
  }
  return body;
}

/** Parses `page`/`page_size` query params; `page_size=-1` means "all" where allowed. */
export function pageParams(
  c: Context,
  defaultSize: number,
  allowAll = false,
): { page: number; size: number } {
  const page = Number(c.req.query("page") ?? "1");
  let size = Number(c.req.query("page_size") ?? String(defaultSize));
  if (!Number.isInteger(page) || page < 1) throw new LsError(404, "Invalid page.");
  if (allowAll && size === -1) size = Number.POSITIVE_INFINITY;
  else if (!Number.isInteger(size) || size < 1) size = defaultSize;
  return { page, size };
}

/** Slices one page; a page past the end is a 404 "Invalid page." (Django paginator, §10.1). */
export function slicePage<T>(items: T[], page: number, size: number): T[] {
  if (size === Number.POSITIVE_INFINITY) {
    if (page > 1) throw new LsError(404, "Invalid page.");
    return items;
  }
  const pages = Math.max(1, Math.ceil(items.length / size));
  if (page > pages) throw new LsError(404, "Invalid page.");
  return items.slice((page - 1) * size, page * size);
}

/** `{count, next, previous, results}` with absolute next/previous URLs (DRF PageNumberPagination). */
export function drfPage<T>(c: Context, items: T[], page: number, size: number): Record<string, unknown> {
  const results = slicePage(items, page, size);
  const link = (p: number): string => {
    const url = new URL(c.req.url);
    url.searchParams.set("page", String(p));
    return url.toString();
  };
  const last = Math.max(1, Math.ceil(items.length / size));
  return {
    count: items.length,
    next: page < last ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
    results,
  };
}

/** 204 No Content. */
export function noContent(): Response {
  return new Response(null, { status: 204 });
}
