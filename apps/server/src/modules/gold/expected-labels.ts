import type { ParsedLabelConfig } from "../../labelstudio/label-config.js";

export interface LabelIssue {
  path: (string | number)[];
  message: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Checks a gold task's expected labels against its labeling config: a non-empty list of LS result
 * items whose `from_name` is a control of the config, `to_name` one of that control's targets and
 * `type` the control's result type (its lowercase tag), with a `value` object. Relations
 * (`type: "relation"`, `from_id`/`to_id`) are accepted as LS stores them. Pure; returns the issues,
 * each pointing at `["expectedLabels", index, field]`.
 */
export function validateExpectedLabels(config: ParsedLabelConfig, labels: readonly unknown[]): LabelIssue[] {
  const issues: LabelIssue[] = [];
  if (labels.length === 0) {
    return [{ path: ["expectedLabels"], message: "At least one expected result item is required" }];
  }
  const controls = new Map(config.controls.map((c) => [c.name, c]));
  labels.forEach((raw, index) => {
    const at = (field?: string) => (field ? ["expectedLabels", index, field] : ["expectedLabels", index]);
    if (!isObject(raw)) {
      issues.push({ path: at(), message: "Must be an LS result object" });
      return;
    }
    if (raw.type === "relation") {
      if (typeof raw.from_id !== "string" || typeof raw.to_id !== "string") {
        issues.push({ path: at(), message: "A relation needs string from_id and to_id" });
      }
      return;
    }
    for (const field of ["from_name", "to_name", "type"] as const) {
      if (typeof raw[field] !== "string" || raw[field] === "") {
        issues.push({ path: at(field), message: `${field} must be a non-empty string` });
      }
    }
    if (!isObject(raw.value)) issues.push({ path: at("value"), message: "value must be an object" });
    if (typeof raw.from_name !== "string") return;
    const control = controls.get(raw.from_name);
    if (!control) {
      const known = [...controls.keys()].join(", ") || "none";
      issues.push({
        path: at("from_name"),
        message: `Unknown control "${raw.from_name}" (controls of the config: ${known})`,
      });
      return;
    }
    if (typeof raw.to_name === "string" && !control.toName.includes(raw.to_name)) {
      issues.push({
        path: at("to_name"),
        message: `"${raw.to_name}" is not a target of control "${control.name}" (toName: ${control.toName.join(", ")})`,
      });
    }
    if (typeof raw.type === "string" && raw.type !== control.tag) {
      issues.push({
        path: at("type"),
        message: `Control "${control.name}" produces results of type "${control.tag}", not "${raw.type}"`,
      });
    }
  });
  return issues;
}
