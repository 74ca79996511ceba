import { XMLParser, XMLValidator } from "fast-xml-parser";

/** Label Studio object tags: what is being labelled (the `to_name` side of a result). */
export const OBJECT_TAGS = [
  "Image",
  "Text",
  "HyperText",
  "Audio",
  "AudioPlus",
  "Video",
  "TimeSeries",
  "Table",
  "Paragraphs",
  "List",
  "Pdf",
  "Markdown",
  "Chat",
] as const;

/** Label Studio control tags: what produces results (the `from_name` side). */
export const CONTROL_TAGS = [
  "Choices",
  "Labels",
  "Rectangle",
  "RectangleLabels",
  "Polygon",
  "PolygonLabels",
  "Ellipse",
  "EllipseLabels",
  "KeyPoint",
  "KeyPointLabels",
  "Brush",
  "BrushLabels",
  "BitmaskLabels",
  "MagicWand",
  "TextArea",
  "Rating",
  "Number",
  "DateTime",
  "Taxonomy",
  "HyperTextLabels",
  "ParagraphLabels",
  "TimeSeriesLabels",
  "TimelineLabels",
  "VideoRectangle",
  "Pairwise",
  "Ranker",
  "Relations",
  "VectorLabels",
] as const;

/** Option tags whose `value` attribute is a label of their enclosing control. */
const OPTION_TAGS = new Set(["Choice", "Label", "Relation"]);

export const MAX_LABEL_CONFIG_CHARS = 50_000;

export interface ObjectTag {
  /** Lowercase tag name, e.g. `image`. */
  tag: string;
  name: string;
  /** The data reference, e.g. `$image`. */
  value: string;
}

/** One node of a Taxonomy tree (nested `<Choice>` tags). */
export interface TaxonomyNode {
  value: string;
  children?: TaxonomyNode[];
}

export interface ControlTag {
  /** Lowercase tag name; equals the `type` of the results it produces, e.g. `rectanglelabels`. */
  tag: string;
  name: string;
  toName: string[];
  /** Values of descendant Choice/Label tags, in document order (taxonomy: every level). */
  labels: string[];
  /** `perRegion="true"`: the control classifies regions of another control rather than the object. */
  perRegion: boolean;
  attributes: Record<string, string>;
  /** Taxonomy only: the nested choices, which the subtree agreement metric expands to leaves. */
  tree?: TaxonomyNode[];
}

export interface ParsedLabelConfig {
  objects: ObjectTag[];
  controls: ControlTag[];
}

export type LabelConfigResult = { ok: true; config: ParsedLabelConfig } | { ok: false; issues: string[] };

type OrderedNode = { [tag: string]: OrderedNode[] | string | Record<string, string> | undefined } & {
  ":@"?: Record<string, string>;
};

const parser = new XMLParser({
  ignoreAttributes: false,
  preserveOrder: true,
  attributeNamePrefix: "",
  // Never expand entities: declarations are refused below, and predefined entities stay literal.
  processEntities: false,
  allowBooleanAttributes: true,
});

const objectTagNames = new Set<string>(OBJECT_TAGS);
const controlTagNames = new Set<string>(CONTROL_TAGS);

/**
 * Parses and validates a Label Studio labeling config. Pure; never expands entities: a config with a
 * DOCTYPE or ENTITY declaration is refused outright (billion-laughs and external entities).
 */
export function parseLabelConfig(xml: string): LabelConfigResult {
  if (xml.length > MAX_LABEL_CONFIG_CHARS) {
    return { ok: false, issues: [`configXml is longer than ${MAX_LABEL_CONFIG_CHARS} characters`] };
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    return { ok: false, issues: ["DOCTYPE and ENTITY declarations are not allowed in a labeling config"] };
  }
  const validation = XMLValidator.validate(xml, { allowBooleanAttributes: true });
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    return { ok: false, issues: [`Malformed XML at line ${line}, column ${col}: ${msg}`] };
  }
  const roots = (parser.parse(xml) as OrderedNode[]).filter((node) => tagOf(node) !== undefined);
  const root = roots[0];
  if (roots.length !== 1 || !root || tagOf(root) !== "View") {
    return { ok: false, issues: ["The root element must be <View>"] };
  }
  const config: ParsedLabelConfig = { objects: [], controls: [] };
  const issues: string[] = [];
  walk(root, config, issues);
  if (config.objects.length === 0) {
    issues.push(`The config has no object tag (one of ${OBJECT_TAGS.join(", ")})`);
  }
  const objectNames = new Set(config.objects.map((o) => o.name));
  const controlNames = new Set<string>();
  for (const control of config.controls) {
    if (controlNames.has(control.name)) issues.push(`Duplicate control name "${control.name}"`);
    controlNames.add(control.name);
    for (const target of control.toName) {
      if (!objectNames.has(target) && !control.perRegion) {
        issues.push(`Control "${control.name}" refers to toName "${target}", which is not an object tag`);
      }
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, config };
}

function tagOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ":@" && key !== "#text");
}

function childrenOf(node: OrderedNode, tag: string): OrderedNode[] {
  const value = node[tag];
  return Array.isArray(value) ? value : [];
}

function walk(node: OrderedNode, config: ParsedLabelConfig, issues: string[]): void {
  const tag = tagOf(node);
  if (!tag) return;
  const attributes = node[":@"] ?? {};
  if (objectTagNames.has(tag)) {
    if (!attributes.name) issues.push(`<${tag}> needs a name attribute`);
    config.objects.push({
      tag: tag.toLowerCase(),
      name: attributes.name ?? "",
      value: attributes.value ?? "",
    });
  } else if (controlTagNames.has(tag)) {
    if (!attributes.name) issues.push(`<${tag}> needs a name attribute`);
    config.controls.push({
      tag: tag.toLowerCase(),
      name: attributes.name ?? "",
      toName: (attributes.toName ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      labels: collectLabels(node, tag),
      perRegion: attributes.perRegion === "true",
      attributes: { ...attributes },
      ...(tag === "Taxonomy" ? { tree: collectTree(node, tag) } : {}),
    });
    return; // options of a control are not nested objects or controls
  }
  for (const child of childrenOf(node, tag)) walk(child, config, issues);
}

function collectLabels(node: OrderedNode, tag: string): string[] {
  const labels: string[] = [];
  for (const child of childrenOf(node, tag)) {
    const childTag = tagOf(child);
    if (!childTag) continue;
    const value = child[":@"]?.value ?? child[":@"]?.alias;
    if (OPTION_TAGS.has(childTag) && value !== undefined) labels.push(value);
    labels.push(...collectLabels(child, childTag));
  }
  return labels;
}

function collectTree(node: OrderedNode, tag: string): TaxonomyNode[] {
  const nodes: TaxonomyNode[] = [];
  for (const child of childrenOf(node, tag)) {
    const childTag = tagOf(child);
    const value = child[":@"]?.value ?? child[":@"]?.alias;
    if (childTag !== "Choice" || value === undefined) continue;
    const children = collectTree(child, childTag);
    nodes.push(children.length > 0 ? { value, children } : { value });
  }
  return nodes;
}
