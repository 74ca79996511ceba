/**
 * The metric catalogue: ids (evalme function names, plus the per-region and polygon-statistic ids we
 * name), control kinds and the per-kind defaults of the reference's §2 table.
 */
import type { ControlInfo } from "./types.js";

/** Every metric id, evalme function names (plus the per-region and polygon-statistic ids we name). */
export const METRIC_IDS = [
  "exact_matching_choices",
  "intersection_taxonomy",
  "path_match_taxonomy",
  "numbers_match",
  "datetime_match",
  "match_textareas",
  "intersection_text_tagging",
  "intersection_html_tagging",
  "iou_bboxes",
  "precision_bboxes",
  "recall_bboxes",
  "f1_bboxes",
  "mAP_bboxes",
  "iou_polygons",
  "precision_polygons",
  "recall_polygons",
  "f1_polygons",
  "keypoints_distance",
  "iou_brush",
  "exact_matching_pairwise",
  "naive",
  "per_region_choices",
  "per_region_textarea",
] as const;
export type MetricId = (typeof METRIC_IDS)[number];

/** The kind a control is scored as: its tag, or `choices[per_region]` / `textarea[per_region]`. */
export function controlKind(control: ControlInfo): string {
  return control.perRegion && (control.tag === "choices" || control.tag === "textarea")
    ? `${control.tag}[per_region]`
    : control.tag;
}

/** Default metric per control kind (evalme; `naive` where evalme has none). */
export const DEFAULT_METRICS: Readonly<Record<string, MetricId>> = {
  choices: "exact_matching_choices",
  "choices[per_region]": "per_region_choices",
  taxonomy: "intersection_taxonomy",
  rating: "exact_matching_choices",
  number: "numbers_match",
  datetime: "datetime_match",
  textarea: "match_textareas",
  "textarea[per_region]": "per_region_textarea",
  labels: "intersection_text_tagging",
  hypertextlabels: "intersection_html_tagging",
  timeserieslabels: "intersection_text_tagging",
  rectanglelabels: "iou_bboxes",
  polygonlabels: "iou_polygons",
  ellipselabels: "naive",
  keypointlabels: "keypoints_distance",
  brushlabels: "iou_brush",
  pairwise: "exact_matching_pairwise",
  ranker: "naive",
};
