import { z } from "@hono/zod-openapi";
import type { Context } from "hono";

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional().describe("Results per page (1-500, default 100)"),
  offset: z.coerce.number().int().min(0).optional().describe("Number of results to skip (default 0)"),
});
export type PageQuery = z.infer<typeof PageQuery>;

export interface Page {
  limit: number;
  offset: number;
}

export const pageOf = (query: PageQuery): Page => ({ limit: query.limit ?? 100, offset: query.offset ?? 0 });

export const envelope = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    pagination: z.object({ total: z.number(), limit: z.number(), offset: z.number(), hasMore: z.boolean() }),
  });

/** The spec's lists: a bare array, or the envelope when paging is asked for (or always, for some lists). */
export const listOf = <T extends z.ZodType>(item: T) => z.union([z.array(item), envelope(item)]);

/**
 * Presents one page of a list. Every list sets X-Total-Count; the envelope is used when the caller
 * passed `limit` or `offset`, or when the resource always pages (assignments, rejections, events).
 */
export function presentList<T>(
  c: Context,
  query: PageQuery,
  result: { rows: T[]; total: number },
  options: { alwaysEnvelope?: boolean } = {},
) {
  const page = pageOf(query);
  c.header("X-Total-Count", String(result.total));
  if (!options.alwaysEnvelope && query.limit === undefined && query.offset === undefined) return result.rows;
  return {
    data: result.rows,
    pagination: {
      total: result.total,
      limit: page.limit,
      offset: page.offset,
      hasMore: page.offset + result.rows.length < result.total,
    },
  };
}
