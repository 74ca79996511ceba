import { validationError } from "./errors.js";
import { incompatibleUsages, LabelConfigError, parseLabelConfig } from "./label-config.js";
import { defaultControlWeights, PROJECT_DEFAULTS } from "./serializers/project.js";
import type { ProjectRow, SimState } from "./state.js";

const BOOLEAN_FIELDS = Object.entries(PROJECT_DEFAULTS)
  .filter(([, v]) => typeof v === "boolean")
  .map(([k]) => k);
const INTEGER_FIELDS = [
  "maximum_annotations",
  "overlap_cohort_percentage",
  "min_annotations_to_start_training",
];
const STRING_FIELDS = [
  "title",
  "description",
  "label_config",
  "expert_instruction",
  "model_version",
  "color",
];
const NULLABLE_STRING_FIELDS = ["task_data_login", "task_data_password", "pinned_at"];
const CHOICES: Record<string, string[]> = {
  sampling: ["Sequential sampling", "Uniform sampling", "Uncertainty sampling"],
  skip_queue: ["REQUEUE_FOR_ME", "REQUEUE_FOR_OTHERS", "IGNORE_SKIPPED"],
};

/** Validates a label config and returns LS-style messages (empty when valid). */
export function configErrors(xml: unknown): string[] {
  if (typeof xml !== "string") return ["Not a valid string."];
  try {
    parseLabelConfig(xml);
    return [];
  } catch (err) {
    if (err instanceof LabelConfigError) return err.messages;
    throw err;
  }
}

/** Config errors plus incompatibility with the project's existing annotations (§3 PATCH trap). */
export function projectConfigErrors(state: SimState, project: ProjectRow, xml: unknown): string[] {
  const errors = configErrors(xml);
  if (errors.length > 0) return errors;
  const results = state.annotations.filter((a) => a.project === project.id).map((a) => a.result);
  return incompatibleUsages(parseLabelConfig(xml as string), results);
}

/**
 * Validates writable project fields like the DRF serializer (unknown and read-only fields are ignored)
 * and returns the accepted subset.
 * @throws LsError 400 with `validation_errors` per field.
 */
export function cleanProjectInput(
  state: SimState,
  body: Record<string, unknown>,
  existing: ProjectRow | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const errors: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!(key in PROJECT_DEFAULTS)) continue;
    if (BOOLEAN_FIELDS.includes(key) && typeof value !== "boolean")
      errors[key] = ["Must be a valid boolean."];
    else if (INTEGER_FIELDS.includes(key) && !Number.isInteger(value))
      errors[key] = ["A valid integer is required."];
    else if (STRING_FIELDS.includes(key) && typeof value !== "string") errors[key] = ["Not a valid string."];
    else if (NULLABLE_STRING_FIELDS.includes(key) && value !== null && typeof value !== "string") {
      errors[key] = ["Not a valid string."];
    } else if (CHOICES[key] && !CHOICES[key].includes(String(value)))
      errors[key] = [`"${String(value)}" is not a valid choice.`];
    else if (key === "control_weights" && (typeof value !== "object" || value === null))
      errors[key] = ["Expected a dictionary of items."];
    else out[key] = value;
  }
  if (typeof out.title === "string") {
    if (out.title.length > 50) errors.title = ["Ensure this field has no more than 50 characters."];
    else if (out.title.length > 0 && out.title.length < 3)
      errors.title = ["Ensure this field has at least 3 characters."];
  }
  if (typeof out.maximum_annotations === "number" && out.maximum_annotations < 1) {
    errors.maximum_annotations = ["Ensure this value is greater than or equal to 1."];
  }
  if ("label_config" in out) {
    const messages = existing
      ? projectConfigErrors(state, existing, out.label_config)
      : configErrors(out.label_config);
    if (messages.length > 0) errors.label_config = messages;
    else if (!("control_weights" in out))
      out.control_weights = defaultControlWeights(parseLabelConfig(out.label_config as string));
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
  return out;
}
