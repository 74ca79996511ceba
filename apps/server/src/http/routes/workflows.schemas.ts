import { z } from "@hono/zod-openapi";
import { REJECTION_MODES, WORKFLOW_STATES } from "../../db/schema/index.js";

const id = z.number().int().positive();
const hasDotDot = (value: string) => value.split("/").some((segment) => segment === "..");
const storagePath = (description: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(1024)
    .refine((v) => !hasDotDot(v), "must not contain '..' segments")
    .describe(description);

/** The spec's workflow table: ranges here, cross-field and reference rules in the service. */
const fields = {
  name: z.string().trim().min(1).max(255).describe("Workflow name (1-255 chars)"),
  roleId: id.nullish().describe("Target role for auto-assignment"),
  labelingConfigId: id.nullish().describe("Label Studio config template ID"),
  previousWorkflowId: id.nullish().describe("Upstream workflow for chaining (no cycles)"),
  s3SourcePath: storagePath("Storage prefix of the source items (a folder under STORAGE_DIR when local)"),
  s3ExportPath: storagePath("Storage prefix for annotation exports"),
  imagesPerProject: z.number().int().min(1).max(10_000).describe("Images per batch (1-10000, default 100)"),
  maxProjects: z.number().int().min(1).max(1_000_000).nullish().describe("Max batches per annotator"),
  estimatedTimeMinutes: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .nullish()
    .describe("Estimated completion time"),
  autoAssign: z.boolean().describe("Auto-assign on annotator ready (default true)"),
  goldStandardRate: z.number().min(0).max(1).describe("Gold task injection rate (0-1, default 0)"),
  shuffleImages: z.boolean().describe("Randomize image order (default true)"),
  annotationsPerItem: z
    .number()
    .int()
    .min(1)
    .max(100)
    .describe("Distinct annotators who must annotate each item (1-100, default 1; overlap for agreement)"),
  rejectionMode: z.enum(REJECTION_MODES).describe('"none" (default), "archive" or "route_to_workflow"'),
  rejectionArchiveBucket: z
    .string()
    .trim()
    .min(1)
    .max(1024)
    .nullish()
    .describe("Storage path for archived rejections"),
  rejectionRouteWorkflowId: id
    .nullish()
    .describe('Target workflow for rejected tasks (required when rejectionMode is "route_to_workflow")'),
  rejectionReturnToOriginal: z
    .boolean()
    .describe("Route rejected work back to the original annotator (default false)"),
  rejectionFlagAnnotator: z.boolean().describe("Increment the annotator's rejection count (default true)"),
  maxReworkIterations: z
    .number()
    .int()
    .min(0)
    .max(100)
    .nullish()
    .describe("Max rework cycles before escalation"),
};

const createShape = z
  .object(fields)
  .partial()
  .required({ name: true, s3SourcePath: true, s3ExportPath: true });
export const WorkflowCreate = createShape.openapi("WorkflowCreate");

export const WorkflowUpdate = z
  .object(fields)
  .partial()
  .extend({ isActive: z.boolean().optional().describe("Pause (false) or resume (true) the workflow") })
  .refine((v) => Object.keys(v).length > 0, "At least one field is required")
  .openapi("WorkflowUpdate");

const batchRef = z
  .union([id, z.string().regex(/^\$\d+$/, 'must be a workflow id or "$<index>" of an earlier entry')])
  .nullish();
export const WorkflowBulkCreate = z
  .object({
    workflows: z
      .array(
        createShape.extend({
          previousWorkflowId: batchRef.describe('Existing workflow id, or "$<i>": entry i of this request'),
          rejectionRouteWorkflowId: batchRef.describe(
            'Existing workflow id, or "$<i>": entry i of this request',
          ),
        }),
      )
      .min(1)
      .max(50)
      .describe("1-50 workflows, created in order, all or nothing"),
  })
  .openapi("WorkflowBulkCreate");

const date = z.date().or(z.string());

const workflowShape = z.object({
  id: z.number(),
  name: z.string(),
  roleId: z.number().nullable(),
  labelingConfigId: z.number().nullable(),
  previousWorkflowId: z.number().nullable(),
  s3SourcePath: z.string(),
  s3ExportPath: z.string(),
  imagesPerProject: z.number(),
  maxProjects: z.number().nullable(),
  estimatedTimeMinutes: z.number().nullable(),
  autoAssign: z.boolean(),
  goldStandardRate: z.number(),
  shuffleImages: z.boolean(),
  isActive: z.boolean(),
  annotationsPerItem: z.number(),
  totalImagesAvailable: z.number().describe("Items to annotate (every kind but gold)"),
  totalImagesAssigned: z.number().describe("Items held by at least one annotator"),
  rejectionMode: z.enum(REJECTION_MODES),
  rejectionArchiveBucket: z.string().nullable(),
  rejectionRouteWorkflowId: z.number().nullable(),
  rejectionReturnToOriginal: z.boolean(),
  rejectionFlagAnnotator: z.boolean(),
  maxReworkIterations: z.number().nullable(),
  state: z.enum(WORKFLOW_STATES).describe("State in the workflow state machine"),
  createdAt: date,
  updatedAt: date,
  role: z.object({ id: z.number(), name: z.string(), color: z.string().nullable() }).nullable(),
  labelingConfig: z.object({ id: z.number(), name: z.string() }).nullable(),
});
export const Workflow = workflowShape.openapi("Workflow");

export const WorkflowWithChain = workflowShape
  .extend({
    chain: z
      .array(
        z.object({
          id: z.number(),
          name: z.string(),
          previousWorkflowId: z.number().nullable(),
          roleId: z.number().nullable(),
          isActive: z.boolean(),
          state: z.string(),
          depth: z.number().describe("Distance from the origin (0)"),
          isCurrent: z.boolean(),
          isTerminal: z.boolean().describe("Nothing is chained after it"),
        }),
      )
      .describe(
        "The chain from its origin to its terminal workflows: upstream line, this one, then downstream",
      ),
  })
  .openapi("WorkflowWithChain");

export const WorkflowGraph = z
  .object({
    nodes: z.array(
      z.union([
        z.object({
          id: z.number(),
          name: z.string(),
          type: z.literal("workflow"),
          roleId: z.number().nullable(),
          roleName: z.string().nullable(),
          roleColor: z.string().nullable(),
          isActive: z.boolean(),
          rejectionMode: z.string(),
          stats: z.object({
            totalAssignments: z.number(),
            completedAssignments: z.number(),
            activeAnnotators: z.number(),
            rejectionRate: z.number(),
          }),
        }),
        z.object({ id: z.string(), name: z.string(), type: z.literal("terminal") }),
      ]),
    ),
    edges: z.array(
      z.object({
        source: z.number(),
        target: z.union([z.number(), z.string()]),
        type: z.enum(["chain", "rejection"]),
        label: z.enum(["accept", "reject"]),
      }),
    ),
  })
  .openapi("WorkflowGraph");

export const SyncStatus = z
  .object({
    workflowId: z.number(),
    status: z.enum(["queued", "running", "done", "failed", "interrupted", "never"]),
    prefix: z.string(),
    listed: z.number().describe("Keys listed so far"),
    skipped: z.number().describe("Listed keys that are not items (folders, unknown extensions)"),
    inserted: z.number().describe("New items created by this sync"),
    done: z.boolean(),
    cursor: z.string().nullable().describe("Last committed key; a resumed sync continues after it"),
    startedAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    lastError: z.string().nullable(),
    totalImagesAvailable: z.number(),
    totalImagesAssigned: z.number(),
  })
  .openapi("WorkflowSyncStatus");

export const SyncStart = z
  .object({ restart: z.boolean().optional().describe("List the prefix from the start instead of resuming") })
  .openapi("WorkflowSyncStart");
