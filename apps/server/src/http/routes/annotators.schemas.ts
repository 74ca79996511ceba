import { z } from "@hono/zod-openapi";
import { ANNOTATOR_STATUSES, ASSIGNMENT_STATUSES } from "../../db/schema/index.js";

const Time = z.date().or(z.string());
const NullableTime = Time.nullable();

export const AnnotatorInput = z.object({
  name: z.string().trim().min(1).max(255).describe("Display name (1-255 chars)"),
  email: z.email().max(255).describe("Email address (unique in the organization)"),
  roleId: z.number().int().positive().nullish().describe("Annotator role ID (must exist)"),
  notes: z.string().max(2000).nullish().describe("Free-text notes (max 2000 chars)"),
});

export const AnnotatorUpdate = AnnotatorInput.partial().refine(
  (v) => Object.keys(v).length > 0,
  "At least one field is required",
);

export const AnnotatorListQuery = z.object({
  status: z
    .enum(ANNOTATOR_STATUSES)
    .optional()
    .describe("Only annotators in this status (deleted ones only this way)"),
  roleId: z.coerce.number().int().positive().optional().describe("Only annotators of this role"),
});

export const Annotator = z
  .object({
    id: z.number(),
    name: z.string(),
    email: z.string(),
    roleId: z.number().nullable(),
    status: z.enum(ANNOTATOR_STATUSES),
    containerId: z.string().nullable(),
    containerIp: z.string().nullable(),
    containerPort: z.number().nullable(),
    subdomain: z.string().nullable(),
    databaseName: z.string().nullable(),
    apiToken: z.string().nullable().describe("The LS API token, masked"),
    lsUserId: z.number().nullable(),
    notes: z.string().nullable(),
    lastActiveAt: NullableTime,
    rejectionCount: z.number(),
    reviewedCount: z.number(),
    backend: z.string().nullable().describe("Backend running the instance"),
    instanceUrl: z.string().nullable().describe("Direct address of the instance's LS API"),
    startedAt: NullableTime,
    restartCount: z.number().describe("Automatic restarts since the last manual start"),
    lastError: z.string().nullable().describe("Why the instance last failed"),
    createdAt: Time,
    updatedAt: Time,
    role: z.object({ id: z.number(), name: z.string(), color: z.string().nullable() }).nullable(),
  })
  .openapi("Annotator");

export const AnnotatorDetail = Annotator.extend({
  assignments: z.array(
    z.object({
      id: z.number(),
      workflowId: z.number(),
      status: z.enum(ASSIGNMENT_STATUSES),
      lsProjectId: z.number().nullable(),
      taskCount: z.number(),
      goldTaskCount: z.number(),
      completedCount: z.number(),
      startedAt: NullableTime,
      completedAt: NullableTime,
      createdAt: Time,
    }),
  ),
}).openapi("AnnotatorDetail");

export const BulkCreateBody = z.object({
  annotators: z.array(AnnotatorInput).min(1).max(100).describe("1-100 annotators"),
});
export const BulkCreated = z
  .object({ created: z.number(), annotators: z.array(Annotator) })
  .openapi("AnnotatorsBulkCreated");

export const BulkDeleteBody = z.object({
  ids: z.array(z.number().int().positive()).min(1).max(100).describe("1-100 annotator IDs"),
});
export const BulkDeleted = z.object({ deleted: z.number() }).openapi("AnnotatorsBulkDeleted");

export const StartAccepted = z
  .object({ success: z.literal(true), status: z.literal("starting") })
  .openapi("AnnotatorStartAccepted");

export const InstanceStatus = z
  .object({
    status: z.enum(ANNOTATOR_STATUSES),
    containerId: z.string().nullable(),
    containerIp: z.string().nullable(),
    containerPort: z.number().nullable(),
    subdomain: z.string().nullable(),
    url: z
      .string()
      .nullable()
      .describe(
        "Where the annotator's LS is reached while it runs: the routed URL, or the direct one when embedded",
      ),
    lastError: z.string().nullable(),
    restartCount: z.number(),
  })
  .openapi("AnnotatorInstanceStatus");

export const TokenBody = z.object({ token: z.string().min(1).max(1000).describe("Label Studio API token") });
export const WebhookSecretHeader = z.object({
  "x-webhook-secret": z.string().optional().describe("The annotator's webhook secret"),
});

/** Optional body of start and stop: why, recorded in the FSM history and the container event. */
export const LifecycleAction = z
  .object({ reason: z.string().max(500).optional().describe("Why (kept in the history and the event)") })
  .openapi("AnnotatorLifecycleAction");
