import { type ParsedLabelConfig, parsedConfigView, parseLabelConfig } from "../label-config.js";
import type { ProjectRow, SimState, UserRow } from "../state.js";

/** Writable project fields and their defaults (Community `ProjectSerializer`, §3). */
export const PROJECT_DEFAULTS: Record<string, unknown> = {
  title: "",
  description: "",
  label_config: "<View></View>",
  expert_instruction: "",
  show_instruction: false,
  show_skip_button: true,
  enable_empty_annotation: true,
  show_annotation_history: false,
  show_collab_predictions: true,
  evaluate_predictions_automatically: false,
  reveal_preannotations_interactively: false,
  model_version: "",
  maximum_annotations: 1,
  overlap_cohort_percentage: 100,
  show_overlap_first: false,
  show_ground_truth_first: false,
  sampling: "Sequential sampling",
  skip_queue: "REQUEUE_FOR_OTHERS",
  is_published: false,
  is_draft: false,
  color: "#FFFFFF",
  pinned_at: null,
  control_weights: {},
  task_data_login: null,
  task_data_password: null,
  min_annotations_to_start_training: 0,
};

/** Brief user object used for `created_by` and expanded `completed_by`. */
export function userBrief(user: UserRow | undefined, id: number): Record<string, unknown> {
  return {
    id,
    first_name: user?.first_name ?? "",
    last_name: user?.last_name ?? "",
    email: user?.email ?? "",
    avatar: null,
    initials: (user?.email ?? "??").slice(0, 2),
  };
}

/** Parses a stored project's config; stored configs were validated on write. */
export function projectConfig(project: ProjectRow): ParsedLabelConfig {
  return parseLabelConfig(String(project.fields.label_config ?? PROJECT_DEFAULTS.label_config));
}

/** The counters of §3 (computed, like LS's `with_counts()`). */
export function projectCounters(state: SimState, project: ProjectRow): Record<string, number> {
  const tasks = state.tasks.filter((t) => t.project === project.id);
  const annotations = state.annotations.filter((a) => a.project === project.id);
  const maxAnn = Number(project.fields.maximum_annotations ?? 1);
  const live = new Map<number, number>();
  const any = new Set<number>();
  for (const a of annotations) {
    any.add(a.task);
    if (!a.was_cancelled) live.set(a.task, (live.get(a.task) ?? 0) + 1);
  }
  const finished = tasks.filter((t) => (live.get(t.id) ?? 0) >= maxAnn).length;
  return {
    task_number: tasks.length,
    finished_task_number: finished,
    total_annotations_number: annotations.length,
    num_tasks_with_annotations: any.size,
    useful_annotation_number: annotations.filter((a) => !a.was_cancelled && !a.ground_truth).length,
    ground_truth_number: annotations.filter((a) => a.ground_truth).length,
    skipped_annotations_number: annotations.filter((a) => a.was_cancelled).length,
    total_predictions_number: state.predictions.filter((p) => p.project === project.id).length,
  };
}

/** The API representation (`GET /api/projects/{id}/`). */
export function projectApi(state: SimState, project: ProjectRow): Record<string, unknown> {
  const cfg = projectConfig(project);
  const counters = projectCounters(state, project);
  const creator = state.users.find((u) => u.id === project.created_by);
  return {
    id: project.id,
    ...PROJECT_DEFAULTS,
    ...project.fields,
    organization: project.organization,
    created_by: userBrief(creator, project.created_by),
    created_at: project.created_at,
    start_training_on_annotation_update: false,
    parsed_label_config: parsedConfigView(cfg),
    config_has_control_tags: cfg.controls.length > 0,
    config_suitable_for_bulk_annotation: cfg.controls.some((c) => c.type === "choices"),
    ...counters,
    queue_total: counters.task_number,
    queue_done: counters.finished_task_number,
  };
}

/** `ProjectWebhookSerializer`: every model column (FKs as ids, incl. `token`) plus counters (§6.3). */
export function projectHook(state: SimState, project: ProjectRow): Record<string, unknown> {
  const cfg = projectConfig(project);
  return {
    id: project.id,
    ...PROJECT_DEFAULTS,
    ...project.fields,
    organization: project.organization,
    created_by: project.created_by,
    created_at: project.created_at,
    updated_at: project.updated_at,
    token: project.token,
    data_types: cfg.dataTypes,
    parsed_label_config: parsedConfigView(cfg),
    start_training_on_annotation_update: false,
    ...projectCounters(state, project),
  };
}

/** Default `control_weights` LS derives from a config: weight 1.0 per control and label. */
export function defaultControlWeights(cfg: ParsedLabelConfig): Record<string, unknown> {
  return Object.fromEntries(
    cfg.controls.map((c) => [
      c.name,
      { type: c.tag, labels: Object.fromEntries(c.labels.map((l) => [l, 1.0])), overall: 1.0 },
    ]),
  );
}
