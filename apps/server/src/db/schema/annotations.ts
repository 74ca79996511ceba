import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { createdAt, tenant, timestampTz, updatedAt } from "./_columns.js";
import { annotators } from "./annotators.js";
import { assignments } from "./assignments.js";
import { items } from "./items.js";

export const ANNOTATION_STATES = ["CREATED", "ACCEPTED", "REJECTED", "DELETED"] as const;
export type AnnotationState = (typeof ANNOTATION_STATES)[number];

/** One annotator's result on one item, as ingested from the annotator's LS instance. */
export const annotations = pgTable(
  "annotations",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    // No foreign key to organizations: the item's cascades already remove annotations with their
    // organization, and a key check per webhook would lock the one organization row (hot path).
    organizationId: integer().notNull(),
    itemId: bigint({ mode: "number" })
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    assignmentId: integer().references(() => assignments.id, { onDelete: "set null" }),
    annotatorId: integer()
      .notNull()
      .references(() => annotators.id, { onDelete: "restrict" }),
    lsAnnotationId: integer().notNull(),
    lsTaskId: integer(),
    lsProjectId: integer(),
    result: jsonb().$type<unknown[]>().notNull(),
    leadTime: real(),
    wasCancelled: boolean().notNull().default(false),
    state: text().$type<AnnotationState>().notNull().default("CREATED"),
    lsCreatedAt: timestampTz(),
    lsUpdatedAt: timestampTz(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("annotations_annotator_ls_idx").on(t.annotatorId, t.lsAnnotationId),
    index("annotations_item_idx").on(t.itemId),
    index("annotations_org_created_idx").on(t.organizationId, t.createdAt),
  ],
);

/** A model version's result on one item: a participant `model:<version>` in agreement. */
export const predictions = pgTable(
  "predictions",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    organizationId: tenant(),
    itemId: bigint({ mode: "number" })
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    modelVersion: text().notNull(),
    result: jsonb().$type<unknown[]>().notNull(),
    score: real(),
    /** Set when the prediction is an upstream annotation shown to a reviewer. */
    sourceAnnotationId: bigint({ mode: "number" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("predictions_item_model_idx").on(t.itemId, t.modelVersion)],
);
