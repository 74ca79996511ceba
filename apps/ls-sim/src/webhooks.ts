import type { FaultController } from "./faults.js";
import type { SimState } from "./state.js";
import { now } from "./util.js";

/** Community webhook actions (§6.2). */
export const WEBHOOK_ACTIONS = [
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

export type WebhookAction = (typeof WEBHOOK_ACTIONS)[number];

/** Actions only organization-level hooks (`project: null`) receive. */
export const ORGANIZATION_ONLY_ACTIONS: ReadonlySet<string> = new Set(["PROJECT_CREATED", "PROJECT_DELETED"]);

/** Plural delete actions whose object list may be missing (§6.3). */
const DEGRADABLE_ACTIONS: ReadonlySet<string> = new Set(["TASKS_DELETED", "ANNOTATIONS_DELETED"]);

/** One delivery attempt (or a dropped one) as shown by `GET /__sim/webhook-log`. */
export interface WebhookLogEntry {
  seq: number;
  at: string;
  webhook: number;
  url: string;
  action: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  delivery: "sent" | "dropped" | "duplicate";
  status: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookDispatcher {
  /**
   * Sends `action` to every matching active hook, sequentially, awaiting each (Community without Redis
   * delivers inside the user's request, §6.3). Never throws: failures are logged and dropped.
   */
  emit(action: WebhookAction, projectId: number | null, payload: Record<string, unknown>): Promise<void>;
  readonly log: WebhookLogEntry[];
  clearLog(): void;
}

const MAX_LOG = 1000;

/** Creates the dispatcher; `timeoutMs` is `WEBHOOK_TIMEOUT` (1 s by default). */
export function createWebhookDispatcher(
  state: SimState,
  faults: FaultController,
  timeoutMs: number,
): WebhookDispatcher {
  const log: WebhookLogEntry[] = [];
  let seq = 0;

  const record = (entry: Omit<WebhookLogEntry, "seq" | "at">): void => {
    seq += 1;
    log.push({ seq, at: now(), ...entry });
    if (log.length > MAX_LOG) log.splice(0, log.length - MAX_LOG);
  };

  const post = async (
    hook: { id: number; url: string },
    headers: Record<string, string>,
    body: Record<string, unknown>,
    delivery: "sent" | "duplicate",
  ): Promise<void> => {
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(hook.url, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: "manual",
      });
      status = res.status;
      await res.body?.cancel();
      if (!res.ok) error = `non-2xx answer ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    record({
      webhook: hook.id,
      url: hook.url,
      action: String(body.action),
      headers,
      body,
      delivery,
      status,
      error,
      durationMs: Date.now() - started,
    });
  };

  return {
    log,
    clearLog() {
      log.length = 0;
    },
    async emit(action, projectId, payload) {
      const orgOnly = ORGANIZATION_ONLY_ACTIONS.has(action);
      const hooks = state.webhooks.filter(
        (h) =>
          h.is_active &&
          (h.project === null || (!orgOnly && h.project === projectId)) &&
          (h.send_for_all_actions || h.actions.includes(action)),
      );
      for (const hook of hooks) {
        const degraded = DEGRADABLE_ACTIONS.has(action) && faults.chance(faults.settings.omitDeletedIdsRate);
        const body = hook.send_payload && !degraded ? { action, ...payload } : { action };
        const headers = { "Content-Type": "application/json", ...hook.headers };
        if (faults.chance(faults.settings.dropWebhookRate)) {
          record({
            webhook: hook.id,
            url: hook.url,
            action,
            headers,
            body,
            delivery: "dropped",
            status: null,
            error: null,
            durationMs: 0,
          });
          continue;
        }
        await post(hook, headers, body, "sent");
        if (faults.chance(faults.settings.duplicateWebhookRate)) await post(hook, headers, body, "duplicate");
      }
    },
  };
}
