import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import { type AppErrorCode, isAppError } from "../lib/app-error.js";
import type { Logger } from "../lib/logger.js";

/** The only code → status map of LabelFleet. */
export const STATUS_OF: Record<AppErrorCode, ContentfulStatusCode> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** Turns any thrown value into the API's `{ error, details? }` body; unknown errors never leak internals. */
export function createErrorHandler(log: Logger) {
  return (error: Error, c: Context) => {
    if (isAppError(error)) {
      const body = {
        error: error.message,
        ...(error.details ? { details: error.details } : {}),
        ...error.extra,
      };
      return c.json(body, STATUS_OF[error.code]);
    }
    if (error instanceof ZodError) {
      return c.json({ error: "Validation failed", details: error.issues }, 400);
    }
    if (error instanceof HTTPException) {
      // The spec answers every bad request with 400, including a body of the wrong content type.
      if (error.status === 415) return c.json({ error: "Content-Type must be application/json" }, 400);
      const status = error.status as ContentfulStatusCode;
      return c.json({ error: error.message || "Request failed" }, status);
    }
    const requestId = c.get("requestId") as string | undefined;
    log.error({ err: error, requestId, path: c.req.path }, "unhandled error");
    return c.json({ error: "Internal server error", requestId }, 500);
  };
}
