import {
  type AnyPgColumn,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  serial,
  text,
} from "drizzle-orm/pg-core";
import { createdAt, tenant, updatedAt } from "./_columns.js";
import { labelingConfigs } from "./labeling-configs.js";
import { roles } from "./roles.js";

export const REJECTION_MODES = ["none", "archive", "route_to_workflow"] as const;
export type RejectionMode = (typeof REJECTION_MODES)[number];

export const WORKFLOW_STATES = ["CREATED", "IN_PROGRESS", "PAUSED", "COMPLETED"] as const;
export type WorkflowState = (typeof WORKFLOW_STATES)[number];

/** A workflow: a source of items, a labeling config, batch rules and routing (LS Enterprise: project). */
export const workflows = pgTable(
  "workflows",
  {
    id: serial().primaryKey(),
    organizationId: tenant(),
    name: text().notNull(),
    roleId: integer().references(() => roles.id, { onDelete: "restrict" }),
    labelingConfigId: integer().references(() => labelingConfigs.id, { onDelete: "restrict" }),
    previousWorkflowId: integer().references((): AnyPgColumn => workflows.id, { onDelete: "restrict" }),
    s3SourcePath: text().notNull(),
    s3ExportPath: text().notNull(),
    imagesPerProject: integer().notNull().default(100),
    maxProjects: integer(),
    estimatedTimeMinutes: integer(),
    autoAssign: boolean().notNull().default(true),
    goldStandardRate: real().notNull().default(0),
    shuffleImages: boolean().notNull().default(true),
    isActive: boolean().notNull().default(true),
    annotationsPerItem: integer().notNull().default(1),
    rejectionMode: text().$type<RejectionMode>().notNull().default("none"),
    rejectionArchiveBucket: text(),
    rejectionRouteWorkflowId: integer().references((): AnyPgColumn => workflows.id, { onDelete: "restrict" }),
    rejectionReturnToOriginal: boolean().notNull().default(false),
    rejectionFlagAnnotator: boolean().notNull().default(true),
    maxReworkIterations: integer(),
    /** Optional quality gate and onboarding rules (see the quality module). */
    qualityGate: jsonb().$type<Record<string, unknown>>(),
    state: text().$type<WorkflowState>().notNull().default("CREATED"),
    /** Progress of the last source sync: `{ cursor, listed, inserted, done }`. */
    syncState: jsonb().$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("workflows_org_idx").on(t.organizationId)],
);
