import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ZodError } from "zod";
import { isAppError } from "../lib/app-error.js";
import { fastParseWebhook } from "../modules/ingestion/webhook-fast-parse.js";
import type { Services } from "../services.js";
import { STATUS_OF } from "./error-handler.js";

/** Takes a request when it is a webhook it can answer itself; false leaves it (untouched) to Hono. */
export type WebhookFastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

type Fetch = (request: Request) => Response | Promise<Response>;

/** Same limit as the Hono route (webhook.routes.ts), repeated here to avoid an import cycle. */
const MAX_BYTES = 5 * 1024 * 1024;
const JSON_TYPE = /^application\/json\s*(;|$)/i;
const ANNOTATOR_ID = /^\d{1,10}$/;

const fastPaths = new WeakMap<Fetch, WebhookFastPath>();

/** The request body, or null (rest drained) when it is larger than MAX_BYTES. Plain listeners: no
 * async iterator per request on the hot path. */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      const first = size <= MAX_BYTES;
      size += chunk.length;
      if (size <= MAX_BYTES) chunks.push(chunk);
      else if (first) {
        // Answer at once; the rest is read and dropped (the stream keeps flowing).
        chunks = [];
        resolve(null);
      }
    });
    req.once("end", () => {
      if (size <= MAX_BYTES) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.once("error", reject);
  });
}

/** The fast path registered for an app (keyed by its `fetch`), for `serve` to put in front of it. */
export function webhookFastPathFor(fetch: Fetch): WebhookFastPath | undefined {
  return fastPaths.get(fetch);
}

/**
 * `POST /api/webhook` straight on node:http (DESIGN §4.4 hot path), skipping the Web `Request`
 * conversion, the middleware chain and the second validation pass. Same handler
 * (`ingestion.ingestWebhook`), same answers and metrics as the Hono route, which stays for the
 * OpenAPI document, in-process callers and every unusual request: anything but a plain JSON webhook
 * with well-formed headers is left to Hono untouched, and a body this path cannot parse (bad JSON, a
 * shape the hand check does not know) is replayed through Hono with the bytes already read, so its
 * 400 (counted as `malformed`) is the route's own.
 */
export function registerWebhookFastPath(app: { fetch: Fetch }, services: Services) {
  const { ingestion, metrics, log } = services;
  const fetch = app.fetch;

  function reply(res: ServerResponse, requestId: string, status: number, body: unknown) {
    if (status === 400) metrics.webhooksReceived.inc({ outcome: "malformed" });
    res.writeHead(status, { "content-type": "application/json", "x-request-id": requestId });
    res.end(JSON.stringify(body));
  }

  /** Hands a request whose body was read to Hono (the route answers, counts and words it). */
  async function replay(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const response = await fetch(
      new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
        method: "POST",
        headers,
        body: new Uint8Array(body),
      }),
    );
    const out = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(out);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, annotatorId: number, secret: string) {
    const requestId = (req.headers["x-request-id"] as string | undefined)?.slice(0, 100) || randomUUID();
    const raw = await readBody(req);
    if (raw === null) {
      reply(res, requestId, 400, { error: `Webhook body larger than ${MAX_BYTES} bytes` });
      return;
    }
    let event: ReturnType<typeof fastParseWebhook> = null;
    try {
      event = fastParseWebhook(JSON.parse(raw.toString("utf8")));
    } catch {
      event = null;
    }
    if (!event) return replay(req, res, raw);
    const end = metrics.webhookLatency.startTimer();
    try {
      const result = await ingestion.ingestWebhook(annotatorId, secret, event);
      reply(res, requestId, 200, result);
    } catch (error) {
      if (isAppError(error)) {
        if (error.code === "UNAUTHORIZED") metrics.webhooksReceived.inc({ outcome: "unauthorized" });
        reply(res, requestId, STATUS_OF[error.code], {
          error: error.message,
          ...(error.details ? { details: error.details } : {}),
          ...error.extra,
        });
      } else if (error instanceof ZodError) {
        reply(res, requestId, 400, { error: "Malformed webhook payload", details: error.issues });
      } else {
        log.error({ err: error, requestId, path: "/api/webhook" }, "unhandled error");
        reply(res, requestId, 500, { error: "Internal server error", requestId });
      }
    } finally {
      end();
    }
  }

  const fastPath: WebhookFastPath = (req, res) => {
    if (req.method !== "POST" || (req.url !== "/api/webhook" && !req.url?.startsWith("/api/webhook?")))
      return false;
    const h = req.headers;
    const id = h["x-annotator-id"];
    const secret = h["x-webhook-secret"];
    if (
      typeof id !== "string" ||
      !ANNOTATOR_ID.test(id) ||
      typeof secret !== "string" ||
      secret.length < 1 ||
      secret.length > 500 ||
      !JSON_TYPE.test(h["content-type"] ?? "") ||
      h.authorization !== undefined ||
      h.cookie !== undefined ||
      Number(h["content-length"] ?? 0) > MAX_BYTES
    )
      return false;
    handle(req, res, Number(id), secret).catch((error: unknown) => {
      log.error({ err: error, path: "/api/webhook" }, "webhook fast path failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "Internal server error" }));
    });
    return true;
  };
  fastPaths.set(fetch, fastPath);
  return fastPath;
}
