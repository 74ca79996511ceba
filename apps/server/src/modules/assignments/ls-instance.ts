import { createCaller } from "../../labelstudio/call.js";
import { createLabelStudioClient, type LabelStudioClient } from "../../labelstudio/client.js";
import { LabelStudioError } from "../../labelstudio/errors.js";
import { createTransport } from "../../labelstudio/http.js";
import type { LsWebhookAction } from "../../labelstudio/types.js";
import { AppError } from "../../lib/app-error.js";
import type { SecretBox } from "../../lib/crypto.js";

/** The annotation actions LabelFleet ingests (LS contract §6.2; there is no singular ANNOTATION_DELETED). */
export const ANNOTATION_ACTIONS: LsWebhookAction[] = [
  "ANNOTATION_CREATED",
  "ANNOTATIONS_CREATED",
  "ANNOTATION_UPDATED",
  "ANNOTATIONS_DELETED",
];

export interface AnnotatorInstance {
  id: number;
  instanceUrl: string | null;
  apiTokenEnc: string | null;
  webhookSecretEnc: string | null;
}

export interface InstanceAccess {
  client: LabelStudioClient;
  /** `DELETE /api/tasks/{id}/` for each id (204; a task already gone counts as deleted). */
  deleteTasks(taskIds: number[]): Promise<void>;
  webhookSecret: string;
}

/**
 * Opens an annotator's LS instance: its URL and decrypted credentials. Throws UNAVAILABLE while the
 * instance has no URL or token yet (a delivery job retries later).
 */
export function openInstance(
  annotator: AnnotatorInstance,
  secrets: SecretBox,
  options: { timeoutMs?: number; retries?: number } = {},
): InstanceAccess {
  if (!annotator.instanceUrl || !annotator.apiTokenEnc || !annotator.webhookSecretEnc) {
    throw new AppError("UNAVAILABLE", `Annotator ${annotator.id} has no reachable Label Studio instance yet`);
  }
  const token = secrets.open(annotator.apiTokenEnc);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;
  const client = createLabelStudioClient({ baseUrl: annotator.instanceUrl, token, timeoutMs, retries });
  // The shared client has no single-task delete; the same transport does it with the same retries.
  const caller = createCaller(
    createTransport({
      baseUrl: annotator.instanceUrl,
      token,
      timeoutMs,
      retries,
      retryDelayMs: 200,
      fetch: globalThis.fetch,
    }),
  );
  return {
    client,
    webhookSecret: secrets.open(annotator.webhookSecretEnc),
    async deleteTasks(taskIds) {
      for (const id of taskIds) {
        try {
          await caller.call(
            { operation: "tasks.delete", method: "DELETE", path: `/api/tasks/${id}/` },
            caller.none,
          );
        } catch (error) {
          if (!(error instanceof LabelStudioError && error.status === 404)) throw error;
        }
      }
    },
  };
}
