import { existsSync, readFileSync } from "node:fs";

/** A user row; `token` is the legacy DRF authtoken key (§1.1). */
export interface UserRow {
  id: number;
  email: string;
  username: string;
  first_name: string;
  last_name: string;
  password: string;
  token: string;
  is_superuser: boolean;
  date_joined: string;
  last_activity: string;
  active_organization: number | null;
}

/** The single organization of a Community instance, with its token settings (§1.2, §1.3). */
export interface OrganizationRow {
  id: number;
  title: string;
  created_by: number | null;
  created_at: string;
  legacy_api_tokens_enabled: boolean;
  api_tokens_enabled: boolean;
  api_token_ttl_days: number;
  invite_token: string;
}

/** A personal access token (JWT refresh token) issued by `POST /api/token/`. */
export interface PatRow {
  jti: string;
  user_id: number;
  token: string;
  created_at: string;
  expires_at: string;
  blacklisted: boolean;
}

/** Project model columns; counters are computed by the serializers. */
export interface ProjectRow {
  id: number;
  organization: number;
  created_by: number;
  created_at: string;
  updated_at: string;
  token: string;
  fields: Record<string, unknown>;
}

export interface TaskRow {
  id: number;
  inner_id: number;
  project: number;
  data: Record<string, unknown>;
  meta: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  updated_by: number | null;
  file_upload: number | null;
  overlap: number;
  allow_skip: boolean | null;
}

export interface AnnotationRow {
  id: number;
  task: number;
  project: number;
  result: unknown[];
  completed_by: number;
  updated_by: number | null;
  was_cancelled: boolean;
  ground_truth: boolean;
  lead_time: number | null;
  created_at: string;
  updated_at: string;
  draft_created_at: string | null;
  import_id: number | null;
  last_action: string | null;
  last_created_by: number | null;
  parent_prediction: number | null;
  parent_annotation: number | null;
  bulk_created: boolean | null;
  unique_id: string;
}

export interface PredictionRow {
  id: number;
  task: number;
  project: number;
  result: unknown[];
  score: number | null;
  model_version: string;
  created_at: string;
  updated_at: string;
}

export interface WebhookRow {
  id: number;
  organization: number;
  project: number | null;
  url: string;
  send_payload: boolean;
  send_for_all_actions: boolean;
  headers: Record<string, string>;
  is_active: boolean;
  actions: string[];
  created_at: string;
  updated_at: string;
}

export interface StorageRow {
  id: number;
  project: number;
  fields: Record<string, unknown>;
  created_at: string;
  last_sync: string | null;
  last_sync_count: number | null;
}

export interface FileUploadRow {
  id: number;
  project: number;
  file: string;
  created_at: string;
}

export interface ExportRow {
  id: number;
  project: number;
  title: string;
  created_by: number;
  created_at: string;
  finished_at: string;
  tasks: unknown[];
  counters: Record<string, number>;
}

/** An Enterprise-style asynchronous import record (only with the `asyncImport` quirk). */
export interface ImportRow {
  id: number;
  project: number;
  created_at: string;
  result: Record<string, unknown>;
}

/** Everything an instance stores; persisted as one JSON document (the simulator's "SQLite"). */
export interface SimState {
  schema: 1;
  secretKey: string;
  nextId: Record<string, number>;
  organization: OrganizationRow | null;
  users: UserRow[];
  pats: PatRow[];
  projects: ProjectRow[];
  tasks: TaskRow[];
  annotations: AnnotationRow[];
  predictions: PredictionRow[];
  webhooks: WebhookRow[];
  storages: StorageRow[];
  fileUploads: FileUploadRow[];
  exports: ExportRow[];
  imports: ImportRow[];
}

/** An empty database, as right after migrations. */
export function emptyState(secretKey: string): SimState {
  return {
    schema: 1,
    secretKey,
    nextId: {},
    organization: null,
    users: [],
    pats: [],
    projects: [],
    tasks: [],
    annotations: [],
    predictions: [],
    webhooks: [],
    storages: [],
    fileUploads: [],
    exports: [],
    imports: [],
  };
}

/** Loads a persisted state file, or returns null when there is none yet. */
export function loadState(file: string): SimState | null {
  if (!existsSync(file)) return null;
  const parsed = JSON.parse(readFileSync(file, "utf8")) as SimState;
  if (parsed.schema !== 1) throw new Error(`unsupported ls-sim state schema in ${file}`);
  // Tables added after a state file was written start empty.
  return { ...emptyState(parsed.secretKey), ...parsed };
}

/** Allocates the next integer id of a table (ids are global, like database sequences). */
export function nextId(state: SimState, table: string): number {
  const id = (state.nextId[table] ?? 0) + 1;
  state.nextId[table] = id;
  return id;
}
