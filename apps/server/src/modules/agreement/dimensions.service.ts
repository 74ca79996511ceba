import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { agreementDimensions } from "../../db/schema/index.js";
import { CONTROL_TAGS, type ControlTag } from "../../labelstudio/label-config.js";
import { AppError } from "../../lib/app-error.js";
import { isUniqueViolation } from "../../lib/db-errors.js";
import { dimensionControls } from "./dimension-sync.js";
import {
  type DimensionRow,
  findWorkflowConfig,
  listDimensionRows,
  syncDimensions,
} from "./dimensions.repo.js";
import type { MatrixService } from "./matrices.service.js";
import { controlKind, DEFAULT_METRICS, metricsFor, resolveMetric } from "./metrics/registry.js";

/** How a dimension reads its values: the results of one control (the only method LabelFleet has). */
export const EXTRACTION_CONTROL = "control";
const CATEGORICAL = new Set(["choices", "taxonomy", "rating", "pairwise"]);
const TAG_NAMES = new Map<string, string>(CONTROL_TAGS.map((t) => [t.toLowerCase(), t]));

export interface DimensionInput {
  name?: string | undefined;
  description?: string | undefined;
  extraction_method?: string | undefined;
  extraction_method_params?: { control_name?: string | undefined } | undefined;
  metric_type?: string | undefined;
  metric_params?: Record<string, unknown> | undefined;
  overall_weight?: number | undefined;
  label_weights?: Record<string, number> | null | undefined;
  is_active?: boolean | undefined;
  order?: number | undefined;
}

export type DimensionOrdering = "order" | "-order" | "name" | "-name" | "id" | "-id";

/** The LS `Dimension` shape (reference §1.9) plus our weights. */
function present(row: DimensionRow, control: ControlTag | undefined) {
  const kind = row.controlType;
  const base = kind.replace("[per_region]", "");
  return {
    id: row.id,
    project: row.workflowId,
    name: row.name,
    description: row.description,
    control_tag: TAG_NAMES.get(base) ?? base,
    control_name: row.controlName,
    is_categorical: CATEGORICAL.has(kind),
    values_enum: CATEGORICAL.has(kind) ? (control?.labels ?? []) : null,
    extraction_method: EXTRACTION_CONTROL,
    extraction_method_params: { control_name: row.controlName },
    metric_type: row.metric,
    metric_params: row.params,
    overall_weight: row.weight,
    label_weights: row.labelWeights ?? {},
    is_active: row.isActive,
    is_user_defined: row.isUserDefined,
    order: row.order,
    allowed_metrics_with_params: Object.fromEntries(
      metricsFor(kind).map((id) => [id, { is_default: DEFAULT_METRICS[kind] === id }]),
    ),
    created_by: row.createdById,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
export type DimensionView = ReturnType<typeof present>;

/** Fields whose change alters computed scores (name, description and order do not). */
const SCORING_FIELDS: (keyof DimensionInput)[] = [
  "extraction_method_params",
  "metric_type",
  "metric_params",
  "overall_weight",
  "label_weights",
  "is_active",
];

/**
 * Agreement dimensions of a workflow (LS: project), shaped as LS Enterprise's dimension API. System
 * dimensions follow the labeling config (`syncDimensions`); managers tune them and add their own (a
 * control compared with another metric). Any change to scoring drops the workflow's stored matrices
 * and queues their recomputation.
 */
export function createDimensionService({ db, matrices }: { db: Db; matrices: MatrixService }) {
  /** The workflow (404 outside the organization) after syncing its dimensions with its config. */
  async function synced(organizationId: number, projectId: number) {
    const workflow = await findWorkflowConfig(db, organizationId, projectId);
    if (!workflow) throw new AppError("NOT_FOUND", `Project ${projectId} not found`);
    if (await syncDimensions(db, organizationId, projectId)) {
      await matrices.invalidateWorkflow(organizationId, projectId);
    }
    const controls = new Map(dimensionControls(workflow.configXml).map((c) => [c.name, c]));
    return { workflow, controls };
  }

  async function getRow(projectId: number, id: number) {
    const [row] = await db
      .select()
      .from(agreementDimensions)
      .where(and(eq(agreementDimensions.workflowId, projectId), eq(agreementDimensions.id, id)));
    if (!row) throw new AppError("NOT_FOUND", `Dimension ${id} not found`);
    return row;
  }

  /** Checks the metric, its params and label weights against the control (400 otherwise). */
  function checkMetric(control: ControlTag, row: Pick<DimensionRow, "metric" | "params" | "labelWeights">) {
    resolveMetric(
      control,
      { metric: row.metric, params: row.params },
      { labelWeights: row.labelWeights ?? {} },
    );
  }

  async function write<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError("CONFLICT", "A dimension with this name already exists");
      throw error;
    }
  }

  return {
    /** Dimensions of a project, `is_active` filtered, ordered as asked (default: order, then id). */
    async list(
      organizationId: number,
      projectId: number,
      filter: { isActive?: boolean | undefined; ordering?: DimensionOrdering | undefined },
      page: { limit: number; offset: number },
    ) {
      const { controls } = await synced(organizationId, projectId);
      const where = and(
        eq(agreementDimensions.workflowId, projectId),
        filter.isActive === undefined ? undefined : eq(agreementDimensions.isActive, filter.isActive),
      );
      const ordering = filter.ordering ?? "order";
      const column = {
        order: agreementDimensions.order,
        name: agreementDimensions.name,
        id: agreementDimensions.id,
      }[ordering.replace("-", "") as "order" | "name" | "id"];
      const rows = await db
        .select()
        .from(agreementDimensions)
        .where(where)
        .orderBy(ordering.startsWith("-") ? desc(column) : asc(column), asc(agreementDimensions.id))
        .limit(page.limit)
        .offset(page.offset);
      const [count] = await db.select({ n: sql<number>`count(*)` }).from(agreementDimensions).where(where);
      return {
        rows: rows.map((r) => present(r, controls.get(r.controlName))),
        total: Number(count?.n ?? 0),
      };
    },

    async get(organizationId: number, projectId: number, id: number) {
      const { controls } = await synced(organizationId, projectId);
      const row = await getRow(projectId, id);
      return present(row, controls.get(row.controlName));
    },

    /** Creates a user-defined dimension on a control of the config (default: the control named `name`). */
    async create(organizationId: number, projectId: number, memberId: number | null, input: DimensionInput) {
      const { controls } = await synced(organizationId, projectId);
      const name = input.name ?? "";
      const controlName = input.extraction_method_params?.control_name ?? name;
      const control = controls.get(controlName);
      if (!control) {
        throw new AppError(
          "BAD_REQUEST",
          `"${controlName}" is not a control of the project's labeling config`,
          [
            {
              path: ["extraction_method_params", "control_name"],
              message: `Known: ${[...controls.keys()].join(", ")}`,
            },
          ],
        );
      }
      const kind = controlKind(control);
      const values = {
        organizationId,
        workflowId: projectId,
        name,
        controlName,
        controlType: kind,
        description: input.description ?? "",
        metric: input.metric_type ?? DEFAULT_METRICS[kind] ?? "naive",
        params: input.metric_params ?? {},
        weight: input.overall_weight ?? 1,
        labelWeights: input.label_weights ?? null,
        isActive: input.is_active ?? true,
        isUserDefined: true,
        order: input.order ?? (await listDimensionRows(db, projectId)).length,
        createdById: memberId,
      };
      checkMetric(control, values);
      const [row] = await write(() => db.insert(agreementDimensions).values(values).returning());
      if (values.isActive) await matrices.invalidateWorkflow(organizationId, projectId);
      return present(row!, control);
    },

    /** Updates a dimension; a system dimension's control is the config's and cannot be changed. */
    async update(organizationId: number, projectId: number, id: number, input: DimensionInput) {
      const { controls } = await synced(organizationId, projectId);
      const current = await getRow(projectId, id);
      const controlName = input.extraction_method_params?.control_name ?? current.controlName;
      if (controlName !== current.controlName && !current.isUserDefined) {
        throw new AppError("BAD_REQUEST", "A system dimension always reads its own control", [
          { path: ["extraction_method_params", "control_name"], message: "Cannot change" },
        ]);
      }
      const control = controls.get(controlName);
      if (!control) {
        throw new AppError(
          "BAD_REQUEST",
          `"${controlName}" is not a control of the project's labeling config`,
          [{ path: ["extraction_method_params", "control_name"], message: "Unknown control" }],
        );
      }
      const kind = controlKind(control);
      const metricChanged = input.metric_type !== undefined && input.metric_type !== current.metric;
      const next = {
        name: input.name ?? current.name,
        description: input.description ?? current.description,
        controlName,
        controlType: kind,
        metric: input.metric_type ?? current.metric,
        // A new metric starts from its own defaults unless params come with it.
        params: input.metric_params ?? (metricChanged ? {} : current.params),
        weight: input.overall_weight ?? current.weight,
        labelWeights: input.label_weights === undefined ? current.labelWeights : input.label_weights,
        isActive: input.is_active ?? current.isActive,
        order: input.order ?? current.order,
        updatedAt: new Date(),
      };
      checkMetric(control, next);
      const [row] = await write(() =>
        db.update(agreementDimensions).set(next).where(eq(agreementDimensions.id, id)).returning(),
      );
      if (SCORING_FIELDS.some((f) => input[f] !== undefined)) {
        await matrices.invalidateWorkflow(organizationId, projectId);
      }
      return present(row!, control);
    },

    /** Deletes a user-defined dimension; system dimensions follow the config (deactivate them instead). */
    async remove(organizationId: number, projectId: number, id: number) {
      await synced(organizationId, projectId);
      const current = await getRow(projectId, id);
      if (!current.isUserDefined) {
        throw new AppError(
          "CONFLICT",
          "System dimensions follow the labeling config; set is_active to false to leave one out",
        );
      }
      await db.delete(agreementDimensions).where(eq(agreementDimensions.id, id));
      await matrices.invalidateWorkflow(organizationId, projectId);
    },

    /** The project's dimensions after a sync (for the matrix and summary endpoints). */
    async rows(organizationId: number, projectId: number) {
      const { workflow } = await synced(organizationId, projectId);
      return { workflow, rows: await listDimensionRows(db, projectId) };
    },
  };
}
export type DimensionService = ReturnType<typeof createDimensionService>;
