import type { LsAnnotation } from "../../labelstudio/types.js";
import type { LsWebhookEvent } from "../../labelstudio/webhook-payload.js";

export interface AnnotationUpsert {
  kind: "upsert";
  action: string;
  lsAnnotationId: number;
  lsTaskId: number | null;
  lsProjectId: number | null;
  result: unknown[];
  leadTimeSeconds: number | null;
  wasCancelled: boolean;
  lsCreatedAt: Date | null;
  lsUpdatedAt: Date | null;
}

export interface AnnotationDeletion {
  kind: "delete";
  action: string;
  /** Null when LS sent the action without its list (contract §6.3): only a reconcile can tell what went. */
  lsAnnotationId: number | null;
  lsProjectId: number | null;
}

export type AnnotationChange = AnnotationUpsert | AnnotationDeletion;

const date = (value: string | null | undefined) => {
  if (!value) return null;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
};

/** One LS annotation (from a webhook or an API list) as an upsert. */
export function upsertFrom(
  annotation: LsAnnotation,
  action: string,
  projectId: number | null,
): AnnotationUpsert {
  return {
    kind: "upsert",
    action,
    lsAnnotationId: annotation.id,
    lsTaskId: annotation.task ?? null,
    lsProjectId: annotation.project ?? projectId,
    result: annotation.result,
    leadTimeSeconds: annotation.lead_time ?? null,
    wasCancelled: annotation.was_cancelled,
    lsCreatedAt: date(annotation.created_at),
    lsUpdatedAt: date(annotation.updated_at),
  };
}

/**
 * The annotation changes a webhook describes. Singular and plural actions, ANNOTATIONS_CREATED's
 * list under the singular key, and a deletion without its ids all come out as one flat list; other
 * actions describe no annotation change. Pure.
 */
export function toAnnotationChanges(event: LsWebhookEvent): AnnotationChange[] {
  switch (event.action) {
    case "ANNOTATION_CREATED":
    case "ANNOTATIONS_CREATED":
    case "ANNOTATION_UPDATED":
      return event.annotations.map((a) => upsertFrom(a, event.action, event.projectId));
    case "ANNOTATIONS_DELETED":
      return (event.deletedAnnotationIds ?? [null]).map((lsAnnotationId) => ({
        kind: "delete",
        action: event.action,
        lsAnnotationId,
        lsProjectId: event.projectId,
      }));
    default:
      return [];
  }
}

/**
 * The idempotency key of one change. A re-sent webhook for the same logical change has the same key;
 * an update is keyed by its `updated_at`, so a later edit of the same annotation is a new event.
 */
export function eventKey(annotatorId: number, change: AnnotationChange): string {
  if (change.kind === "delete")
    return `${annotatorId}:deleted:${change.lsProjectId ?? "?"}:${change.lsAnnotationId}`;
  const verb = change.action === "ANNOTATION_UPDATED" ? "updated" : "created";
  const version = verb === "updated" ? `:${change.lsUpdatedAt?.toISOString() ?? "?"}` : "";
  return `${annotatorId}:${verb}:${change.lsAnnotationId}${version}`;
}
