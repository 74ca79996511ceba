import { z } from "@hono/zod-openapi";
import type { Services } from "../../services.js";
import type { ApiApp } from "../context.js";
import { defineRoute, errors } from "../openapi.js";

const routes = {
  file: defineRoute({
    method: "get",
    // `{key{.+}}` becomes Hono's `:key{.+}`: the key spans several path segments.
    path: "/api/storage/files/{key{.+}}",
    operationId: "getSignedStorageFile",
    summary: "Serve a stored object to the holder of a signed URL (local storage's presigned GET)",
    tags: ["Storage"],
    // A blob endpoint that LS instances call through URLs LabelFleet hands out, not an API
    // operation: its body is the file, so it stays out of the JSON contract (docs/ARCHITECTURE.md).
    hide: true,
    request: {
      params: z.object({ key: z.string().min(1) }),
      query: z.object({
        expires: z.coerce.number().int().positive().describe("Expiry, seconds since the epoch"),
        signature: z.string().min(1).max(128).describe("HMAC of key and expiry"),
      }),
    },
    responses: {
      200: {
        content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
        description: "The object's bytes",
      },
      ...errors(403, 404),
    },
  }),
};

/** The public route behind local storage's signed URLs; the signature authenticates the caller. */
export function registerStorageRoutes(app: ApiApp, { signedFiles, config }: Services) {
  app.openapi(routes.file, async (c) => {
    const { key } = c.req.valid("param");
    const { expires, signature } = c.req.valid("query");
    const file = await signedFiles.read(key, expires, signature);
    const remaining = Math.max(0, expires - Math.floor(Date.now() / 1000));
    return c.body(new Uint8Array(file.body), 200, {
      "content-type": file.contentType,
      "cache-control": `private, max-age=${Math.min(remaining, config.storage.urlTtlSeconds)}`,
      "x-content-type-options": "nosniff",
      // Stored HTML or SVG must never run as LabelFleet's origin (admin sessions live there).
      "content-security-policy": "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'",
      // LS instances live on other origins and fetch text/JSON tasks with XHR; the URL is the credential.
      "access-control-allow-origin": "*",
    });
  });
}
