import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.js";

/** Tags each request with an id (echoed as X-Request-Id) so a 500 can be found in the logs. */
export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = c.req.header("x-request-id")?.slice(0, 100) || randomUUID();
  c.set("requestId", id);
  c.header("X-Request-Id", id);
  await next();
};
