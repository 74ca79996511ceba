import { parseXml, walk, type XmlNode } from "./xml.js";

/** Control tags: they produce results (`type` = lower-cased tag name, §5.1). */
const CONTROL_TAGS = new Set([
  "Choices",
  "Labels",
  "RectangleLabels",
  "Rectangle",
  "PolygonLabels",
  "Polygon",
  "KeyPointLabels",
  "KeyPoint",
  "BrushLabels",
  "Brush",
  "EllipseLabels",
  "Ellipse",
  "HyperTextLabels",
  "ParagraphLabels",
  "TimeSeriesLabels",
  "TextArea",
  "Rating",
  "Number",
  "Taxonomy",
  "DateTime",
  "Pairwise",
  "Ranker",
  "VideoRectangle",
  "MagicWand",
  "BitmaskLabels",
  "Bitmask",
]);

/** Tags whose `value` is a literal label, never a `$data` reference. */
const LABEL_TAGS = new Set(["Label", "Choice"]);

export interface ControlTag {
  name: string;
  type: string;
  tag: string;
  toName: string[];
  labels: string[];
}

export interface ParsedLabelConfig {
  controls: ControlTag[];
  /** `project.data_types`: data key → object tag (e.g. `{image: "Image"}`). */
  dataTypes: Record<string, string>;
  /** Named non-control tags (objects), with their `value` attribute. */
  objects: { name: string; tag: string; value: string }[];
  names: string[];
}

/** Thrown with LS-like messages; routes put them under `validation_errors.label_config`. */
export class LabelConfigError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join("; "));
  }
}

/**
 * Parses and validates a labeling config the way `POST /api/projects/validate/` does (§3):
 * well-formed XML, `<View>` root, unique names, every control has `name` and a `toName` that exists.
 */
export function parseLabelConfig(xml: string): ParsedLabelConfig {
  let root: XmlNode;
  try {
    root = parseXml(xml);
  } catch (err) {
    throw new LabelConfigError([`Can't parse XML: ${(err as Error).message}`]);
  }
  if (root.tag !== "View") throw new LabelConfigError(["Root tag must be <View>"]);
  const nodes = walk(root);
  const names = nodes.flatMap((n) => (n.attrs.name && !LABEL_TAGS.has(n.tag) ? [n.attrs.name] : []));
  const errors: string[] = [];
  if (new Set(names).size !== names.length) errors.push("Label config contains non-unique names");

  const controls: ControlTag[] = [];
  for (const node of nodes.filter((n) => CONTROL_TAGS.has(n.tag))) {
    const { name, toName } = node.attrs;
    if (!name) {
      errors.push(`Validation failed on ${node.tag}: 'name' is a required property`);
      continue;
    }
    if (!toName) {
      errors.push(`Validation failed on ${name}: 'toName' is a required property`);
      continue;
    }
    const targets = toName.split(",").map((t) => t.trim());
    for (const target of targets) {
      if (!names.includes(target))
        errors.push(`toName="${target}" not found in names: [${names.join(", ")}]`);
    }
    const labels = walk(node).flatMap((n) =>
      LABEL_TAGS.has(n.tag) ? [n.attrs.value ?? n.attrs.alias ?? ""] : [],
    );
    controls.push({ name, type: node.tag.toLowerCase(), tag: node.tag, toName: targets, labels });
  }
  if (errors.length > 0) throw new LabelConfigError(errors);

  const dataTypes: Record<string, string> = {};
  const objects: ParsedLabelConfig["objects"] = [];
  for (const node of nodes) {
    if (node.attrs.name && !LABEL_TAGS.has(node.tag) && !CONTROL_TAGS.has(node.tag)) {
      objects.push({ name: node.attrs.name, tag: node.tag, value: node.attrs.value ?? "" });
    }
    const value = node.attrs.value;
    // LS takes everything after `$` as the key, so "$a $b" asks for a key named "a $b".
    if (value?.startsWith("$") && !LABEL_TAGS.has(node.tag) && !CONTROL_TAGS.has(node.tag)) {
      dataTypes[value.slice(1)] = node.tag;
    }
  }
  return { controls, dataTypes, objects, names };
}

/** `parsed_label_config` as the project serializer shows it. */
export function parsedConfigView(cfg: ParsedLabelConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of cfg.controls) {
    out[c.name] = {
      type: c.tag,
      to_name: c.toName,
      inputs: c.toName.map((t) => {
        const obj = cfg.objects.find((o) => o.name === t);
        return { type: obj?.tag ?? "Text", value: obj?.value.replace(/^\$/, "") ?? t };
      }),
      labels: c.labels,
      labels_attrs: Object.fromEntries(c.labels.map((l) => [l, { value: l }])),
    };
  }
  return out;
}

/** Key under `value` that holds label names for a result type (`choices`, `rectanglelabels`, …). */
function labelKey(type: string): string | null {
  return type === "choices" || type.endsWith("labels") ? type : null;
}

/**
 * Checks result items against the config: known `from_name`, matching `to_name` and `type`.
 * Returns error messages (empty when valid). Relation items are not checked.
 */
export function checkResults(cfg: ParsedLabelConfig, result: unknown[]): string[] {
  const errors: string[] = [];
  for (const item of result) {
    const r = item as { from_name?: unknown; to_name?: unknown; type?: unknown };
    if (r.type === "relation") continue;
    const control = cfg.controls.find((c) => c.name === r.from_name);
    if (!control) {
      errors.push(`from_name "${String(r.from_name)}" is not found in the labeling config`);
    } else if (typeof r.to_name !== "string" || !control.toName.includes(r.to_name)) {
      errors.push(`to_name "${String(r.to_name)}" does not match control "${control.name}"`);
    } else if (r.type !== control.type) {
      errors.push(`type "${String(r.type)}" does not match control "${control.name}" (${control.type})`);
    }
  }
  return errors;
}

/**
 * Controls and labels used by existing annotations that a new config would drop (§3 PATCH trap).
 * Returns messages; empty when the new config is compatible.
 */
export function incompatibleUsages(cfg: ParsedLabelConfig, results: unknown[][]): string[] {
  const missing = new Set<string>();
  for (const result of results) {
    for (const item of result) {
      const r = item as { from_name?: string; type?: string; value?: Record<string, unknown> };
      if (r.type === "relation" || !r.from_name) continue;
      const control = cfg.controls.find((c) => c.name === r.from_name);
      if (!control) {
        missing.add(`control "${r.from_name}"`);
        continue;
      }
      const key = labelKey(control.type);
      const used = key ? r.value?.[key] : undefined;
      if (!Array.isArray(used) || control.labels.length === 0) continue;
      for (const label of used) {
        if (typeof label === "string" && !control.labels.includes(label))
          missing.add(`${r.from_name}: ${label}`);
      }
    }
  }
  return missing.size === 0
    ? []
    : [
        `Created annotations are incompatible with provided labeling schema, we found: ${[...missing].join(", ")}`,
      ];
}
