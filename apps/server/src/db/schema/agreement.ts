import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  serial,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { createdAt, tenant, updatedAt } from "./_columns.js";
import { items } from "./items.js";
import { members } from "./members.js";
import { workflows } from "./workflows.js";

/** One control tag of a workflow's labeling config, with the metric that compares its results. */
export const agreementDimensions = pgTable(
  "agreement_dimensions",
  {
    id: serial().primaryKey(),
    organizationId: tenant(),
    workflowId: integer()
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** The control (`from_name`) whose results this dimension compares; equals `name` for system dimensions. */
    controlName: text().notNull().default(""),
    controlType: text().notNull(),
    description: text().notNull().default(""),
    /** False for the dimensions synced from the labeling config, true for those created through the API. */
    isUserDefined: boolean().notNull().default(false),
    order: integer().notNull().default(0),
    createdById: integer().references(() => members.id, { onDelete: "set null" }),
    metric: text().notNull(),
    params: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    weight: real().notNull().default(1),
    labelWeights: jsonb().$type<Record<string, number>>(),
    isActive: boolean().notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("agreement_dimensions_workflow_name_idx").on(t.workflowId, t.name)],
);

/** Pairwise agreement of one task (item); `dimension` is '' for the overall matrix. */
export const agreementMatrices = pgTable(
  "agreement_matrices",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    organizationId: tenant(),
    workflowId: integer()
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    itemId: bigint({ mode: "number" })
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    dimension: text().notNull().default(""),
    participants: jsonb().$type<string[]>().notNull(),
    matrix: jsonb().$type<(number | null)[][]>().notNull(),
    taskAgreement: real(),
    computedAt: createdAt(),
  },
  (t) => [
    uniqueIndex("agreement_matrices_item_dimension_idx").on(t.itemId, t.dimension),
    index("agreement_matrices_workflow_dimension_idx").on(t.workflowId, t.dimension, t.itemId),
  ],
);
