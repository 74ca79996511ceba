import type { ApiApp } from "../context.js";
import { buildToolCatalog, type OpenApiDocument, type ToolDefinition } from "./tool-catalog.js";

/** The API's operations, as MCP tools and as the document they come from. */
export interface ApiCatalog {
  document: OpenApiDocument;
  tools: ToolDefinition[];
  byName: Map<string, ToolDefinition>;
}

/** Something that yields the current catalog (the HTTP app's registry, or a fixed list in tests). */
export type CatalogSource = () => ApiCatalog;

/**
 * The catalog of `app`, generated from its OpenAPI route registry, the same one `/api/openapi.json`
 * is generated from. It is rebuilt whenever the registry has grown, so a route registered after the
 * app was built still becomes a tool; otherwise the cached catalog is reused (generation walks every
 * schema, which is too slow to repeat on every MCP request).
 */
export function catalogOf(app: ApiApp): CatalogSource {
  let cached: { size: number; catalog: ApiCatalog } | undefined;
  return () => {
    const size = app.openAPIRegistry.definitions.length;
    if (cached?.size === size) return cached.catalog;
    const document = app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "LabelFleet API", version: "mcp" },
    }) as OpenApiDocument;
    const tools = buildToolCatalog(document);
    const catalog = { document, tools, byName: new Map(tools.map((tool) => [tool.name, tool])) };
    cached = { size, catalog };
    return catalog;
  };
}
