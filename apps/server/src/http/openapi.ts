import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";

export const ErrorBody = z
  .object({
    error: z.string().describe("Human-readable error message"),
    details: z.array(z.unknown()).optional().describe("Validation issues, when any"),
  })
  .openapi("Error");

const errorDescriptions = {
  400: "Bad request (validation failure, invalid params)",
  401: "Missing or invalid session or token",
  403: "The caller's member role does not allow this",
  404: "Resource not found",
  409: "Conflict",
  429: "Too many requests",
  503: "Unavailable",
} as const;
type ErrorStatus = keyof typeof errorDescriptions;

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

/** Standard error responses, so every operation documents what it can answer. */
export function errors(...statuses: ErrorStatus[]) {
  const all: ErrorStatus[] = [400, 401, ...statuses];
  return Object.fromEntries(all.map((s) => [s, json(ErrorBody, errorDescriptions[s])]));
}

/** createRoute with the conventions of LabelFleet: operationId, summary and tags are required. */
export function defineRoute<R extends RouteConfig & { operationId: string; summary: string; tags: string[] }>(
  config: R,
) {
  return createRoute(config);
}

export const IdParams = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: "id", in: "path" }, example: 1 }),
});

export const SuccessBody = z.object({ success: z.literal(true) }).openapi("Success");

export const Timestamp = z.string().describe("ISO 8601 timestamp");
