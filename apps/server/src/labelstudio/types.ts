import { z } from "zod";

// Every schema is loose (extra keys kept) and lenient about optional/null fields: LS adds and drops
// fields between versions and a client must not break on that (contract §10.4).

/** Short user object (`created_by`, expanded `completed_by`). */
export const LsUserBrief = z.looseObject({
  id: z.number(),
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
});
export type LsUserBrief = z.infer<typeof LsUserBrief>;

/** `GET /api/current-user/whoami` (§9). */
export const LsUser = z.looseObject({
  id: z.number(),
  email: z.string(),
  username: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  active_organization: z.number().nullish(),
});
export type LsUser = z.infer<typeof LsUser>;

/** `GET /api/version/` (§1.4). */
export const LsVersion = z.looseObject({ release: z.string(), edition: z.string().nullish() });
export type LsVersion = z.infer<typeof LsVersion>;

/** `GET /health` (§1.4). */
export const LsHealth = z.looseObject({ status: z.string() });
export type LsHealth = z.infer<typeof LsHealth>;

/** One result item (§5.1); relation items have no `value`. */
export const LsResultItem = z.looseObject({
  id: z.string().nullish(),
  from_name: z.string().nullish(),
  to_name: z.string().nullish(),
  type: z.string(),
  value: z.record(z.string(), z.unknown()).nullish(),
  origin: z.string().nullish(),
  score: z.number().nullish(),
});
export type LsResultItem = z.infer<typeof LsResultItem>;

/**
 * An annotation with `completed_by` normalised to the user id; when LS expanded it into a user object
 * (task detail, expanded exports), the object is kept as `completed_by_user` (§10.4).
 */
export const LsAnnotation = z
  .looseObject({
    id: z.number(),
    task: z.number().nullish(),
    project: z.number().nullish(),
    result: z.array(LsResultItem).nullish(),
    completed_by: z.union([z.number(), LsUserBrief]).nullish(),
    updated_by: z.number().nullish(),
    was_cancelled: z.boolean().nullish(),
    ground_truth: z.boolean().nullish(),
    lead_time: z.number().nullish(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
    last_action: z.string().nullish(),
  })
  .transform((a) => {
    const by = a.completed_by;
    return {
      ...a,
      result: a.result ?? [],
      was_cancelled: a.was_cancelled ?? false,
      ground_truth: a.ground_truth ?? false,
      completed_by: typeof by === "object" && by !== null ? by.id : (by ?? null),
      completed_by_user: typeof by === "object" && by !== null ? by : null,
    };
  });
export type LsAnnotation = z.output<typeof LsAnnotation>;

export const LsPrediction = z.looseObject({
  id: z.number(),
  task: z.number().nullish(),
  result: z.array(LsResultItem).nullish(),
  score: z.number().nullish(),
  model_version: z.string().nullish(),
  created_at: z.string().nullish(),
});
export type LsPrediction = z.infer<typeof LsPrediction>;

/** A task from any list or detail endpoint (§4.2); `annotations`/`predictions` only when embedded. */
export const LsTask = z.looseObject({
  id: z.number(),
  inner_id: z.number().nullish(),
  project: z.number().nullish(),
  data: z.record(z.string(), z.unknown()),
  meta: z.record(z.string(), z.unknown()).nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  is_labeled: z.boolean().nullish(),
  total_annotations: z.number().nullish(),
  cancelled_annotations: z.number().nullish(),
  total_predictions: z.number().nullish(),
  annotations: z.array(LsAnnotation).nullish(),
  predictions: z.array(LsPrediction).nullish(),
});
export type LsTask = z.output<typeof LsTask>;

/** One task of the JSON export (§7.3): predictions are ids unless expanded, `file_upload` a file name. */
export const LsExportTask = LsTask.extend({
  annotations: z.array(LsAnnotation).default([]),
  predictions: z.array(z.union([z.number(), LsPrediction])).default([]),
  file_upload: z.union([z.string(), z.number()]).nullish(),
});
export type LsExportTask = z.output<typeof LsExportTask>;

/** A project (§3); counters are optional because LS may omit them outside `include=`. */
export const LsProject = z.looseObject({
  id: z.number(),
  title: z.string().nullish(),
  description: z.string().nullish(),
  label_config: z.string().nullish(),
  maximum_annotations: z.number().nullish(),
  show_skip_button: z.boolean().nullish(),
  created_at: z.string().nullish(),
  task_number: z.number().nullish(),
  finished_task_number: z.number().nullish(),
  total_annotations_number: z.number().nullish(),
  num_tasks_with_annotations: z.number().nullish(),
});
export type LsProject = z.infer<typeof LsProject>;

/** Writable project fields LabelFleet uses (any other LS field may be passed too). */
export interface LsProjectInput {
  title?: string;
  description?: string;
  label_config?: string;
  expert_instruction?: string;
  show_instruction?: boolean;
  show_skip_button?: boolean;
  enable_empty_annotation?: boolean;
  maximum_annotations?: number;
  show_collab_predictions?: boolean;
  model_version?: string;
  sampling?: "Sequential sampling" | "Uniform sampling" | "Uncertainty sampling";
  skip_queue?: "REQUEUE_FOR_ME" | "REQUEUE_FOR_OTHERS" | "IGNORE_SKIPPED";
  [field: string]: unknown;
}

/** Community webhook actions (§6.2). */
export const LS_WEBHOOK_ACTIONS = [
  "PROJECT_CREATED",
  "PROJECT_UPDATED",
  "PROJECT_DELETED",
  "TASKS_CREATED",
  "TASKS_DELETED",
  "ANNOTATION_CREATED",
  "ANNOTATIONS_CREATED",
  "ANNOTATION_UPDATED",
  "ANNOTATIONS_DELETED",
  "LABEL_LINK_CREATED",
  "LABEL_LINK_UPDATED",
  "LABEL_LINK_DELETED",
] as const;
export type LsWebhookAction = (typeof LS_WEBHOOK_ACTIONS)[number];

export const LsWebhook = z.looseObject({
  id: z.number(),
  project: z.number().nullish(),
  url: z.string(),
  send_payload: z.boolean().nullish(),
  send_for_all_actions: z.boolean().nullish(),
  headers: z.record(z.string(), z.string()).nullish(),
  is_active: z.boolean().nullish(),
  // Kept as strings: the action enum grows between versions (§10.4).
  actions: z.array(z.string()).nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
});
export type LsWebhook = z.infer<typeof LsWebhook>;

export interface LsWebhookInput {
  url: string;
  /** null = organization-level hook (§6.1). */
  project?: number | null;
  send_payload?: boolean;
  send_for_all_actions?: boolean;
  /** Sent with every call; put the shared secret here (LS does not sign webhooks, §6.3). */
  headers?: Record<string, string>;
  is_active?: boolean;
  actions?: LsWebhookAction[];
}

/** A task to import: `data` plus optional `meta`, `annotations`, `predictions` (§4.1). */
export interface LsImportTask {
  data: Record<string, unknown>;
  meta?: Record<string, unknown>;
  annotations?: Array<{
    result: unknown[];
    ground_truth?: boolean;
    completed_by?: number | string;
    [k: string]: unknown;
  }>;
  predictions?: Array<{ result: unknown[]; score?: number; model_version?: string }>;
}

/** Community's synchronous import answer (§4.1). */
export const LsImportResponse = z.looseObject({
  task_count: z.number(),
  annotation_count: z.number().nullish(),
  prediction_count: z.number().nullish(),
  predictions_count: z.number().nullish(),
  duration: z.number().nullish(),
  file_upload_ids: z.array(z.number()).nullish(),
  task_ids: z.array(z.number()).nullish(),
});

/** Enterprise's asynchronous import answer `{import: id}`, to be polled (§4.1). */
export const LsImportQueued = z.looseObject({ import: z.number() });

/** Enterprise import status (`GET /api/projects/{id}/imports/{import_id}/`). */
export const LsImportStatus = z.looseObject({
  status: z.string(),
  task_ids: z.array(z.number()).nullish(),
  task_count: z.number().nullish(),
  annotation_count: z.number().nullish(),
  prediction_count: z.number().nullish(),
  predictions_count: z.number().nullish(),
  error: z.unknown().optional(),
});

/** Normalised import result, whatever the LS version answered. */
export interface LsImportResult {
  task_count: number;
  annotation_count: number | null;
  /** `prediction_count` or `predictions_count`, whichever LS sent (§10.4). */
  prediction_count: number | null;
  /** Present when `returnTaskIds` was requested (or LS sent them anyway). */
  task_ids: number[] | null;
  file_upload_ids: number[];
  duration: number | null;
}

/** Result of a label config validation (§3). */
export type LsConfigValidation = { valid: true } | { valid: false; errors: string[] };

/** One page of a task list, normalised from any of LS's list shapes (§10.1). */
export interface LsTaskPage {
  tasks: LsTask[];
  /** Total number of tasks when LS reported it (`/api/tasks/`), else null. */
  total: number | null;
}

/** `{count, next, previous, results}` page. */
export interface LsPage<T> {
  count: number;
  next: string | null;
  results: T[];
}

/** `POST /api/token/` answer (§1.2). */
export const LsPersonalAccessToken = z.looseObject({
  token: z.string(),
  created_at: z.string().nullish(),
  expires_at: z.string().nullish(),
});
export type LsPersonalAccessToken = z.infer<typeof LsPersonalAccessToken>;

/** `GET/POST /api/jwt/settings` (§1.2). */
export const LsJwtSettings = z.looseObject({
  api_tokens_enabled: z.boolean(),
  legacy_api_tokens_enabled: z.boolean(),
  api_token_ttl_days: z.number().nullish(),
});
export type LsJwtSettings = z.infer<typeof LsJwtSettings>;
