/**
 * Dimensions follow the labeling config: one system dimension per control tag (reference §1.9:
 * "created automatically, one per control tag"). Planning is pure; `dimensions.repo.ts` applies it.
 */
import { type ControlTag, parseLabelConfig } from "../../labelstudio/label-config.js";
import { controlKind, DEFAULT_METRICS, metricsFor } from "./metrics/registry.js";

/** What sync needs to know about a stored dimension. */
export interface ExistingDimension {
  id: number;
  name: string;
  controlName: string;
  controlType: string;
  metric: string;
  isUserDefined: boolean;
  isActive: boolean;
  order: number;
}

export interface NewDimension {
  name: string;
  controlName: string;
  controlType: string;
  metric: string;
  isActive: boolean;
  order: number;
}

export interface DimensionPlan {
  insert: NewDimension[];
  update: { id: number; patch: Partial<NewDimension> & { params?: Record<string, unknown> } }[];
  remove: number[];
}

/** Relations results carry no `from_name`: nothing to compare, so no dimension. */
const WITHOUT_DIMENSION = new Set(["relations"]);

/**
 * The default metric of a control: the engine's default for its kind. Kinds without one (plain
 * Rectangle, VideoRectangle, ...) get the generic exact match `naive`, inactive, because evalme
 * skips controls that have no metric: a manager may switch them on.
 */
export function defaultDimension(control: ControlTag, order: number): NewDimension {
  const kind = controlKind(control);
  const metric = DEFAULT_METRICS[kind];
  return {
    name: control.name,
    controlName: control.name,
    controlType: kind,
    metric: metric ?? "naive",
    isActive: metric !== undefined,
    order,
  };
}

/** The controls of a config XML that get a dimension; an unparsable config has none. */
export function dimensionControls(configXml: string | null): ControlTag[] {
  if (!configXml) return [];
  const parsed = parseLabelConfig(configXml);
  if (!parsed.ok) return [];
  return parsed.config.controls.filter((c) => !WITHOUT_DIMENSION.has(c.tag));
}

/**
 * Plans the changes that make stored dimensions match the controls: a system dimension per control
 * (inserted when missing; its type, and its metric when that no longer applies, follow the control;
 * removed when the control is gone). User-defined dimensions whose control is gone are deactivated,
 * never deleted: they are the manager's own.
 */
export function planDimensionSync(controls: readonly ControlTag[], existing: readonly ExistingDimension[]) {
  const plan: DimensionPlan = { insert: [], update: [], remove: [] };
  const byControl = new Map(controls.map((c, i) => [c.name, { control: c, order: i }]));
  const system = new Map(existing.filter((d) => !d.isUserDefined).map((d) => [d.controlName, d]));
  const names = new Set(existing.map((d) => d.name));
  for (const [name, { control, order }] of byControl) {
    const wanted = defaultDimension(control, order);
    const current = system.get(name);
    if (!current) {
      // A user-defined dimension may already hold the control's name; the system one gets a suffix.
      let candidate = wanted.name;
      for (let k = 2; names.has(candidate); k++) candidate = `${wanted.name}_${k}`;
      names.add(candidate);
      plan.insert.push({ ...wanted, name: candidate });
      continue;
    }
    if (current.controlType !== wanted.controlType) {
      const keepsMetric = metricsFor(wanted.controlType).includes(current.metric as never);
      plan.update.push({
        id: current.id,
        patch: {
          controlType: wanted.controlType,
          ...(keepsMetric ? {} : { metric: wanted.metric, isActive: wanted.isActive, params: {} }),
        },
      });
    }
  }
  for (const d of existing) {
    if (byControl.has(d.controlName)) {
      if (d.isUserDefined) {
        const kind = controlKind(byControl.get(d.controlName)!.control);
        if (kind !== d.controlType) plan.update.push({ id: d.id, patch: { controlType: kind } });
      }
      continue;
    }
    if (!d.isUserDefined) plan.remove.push(d.id);
    else if (d.isActive) plan.update.push({ id: d.id, patch: { isActive: false } });
  }
  return plan;
}

export const isEmptyPlan = (plan: DimensionPlan) =>
  plan.insert.length === 0 && plan.update.length === 0 && plan.remove.length === 0;
