import type { LsTask } from "../../labelstudio/types.js";
import { type AnnotationChange, upsertFrom } from "../ingestion/annotation-changes.js";

/** What LabelFleet holds about one annotation of the assignment being compared. */
export interface LocalAnnotation {
  lsAnnotationId: number;
  lsUpdatedAt: Date | null;
  state: string;
}

/**
 * The changes that bring LabelFleet in line with an assignment's LS project (reconcile): annotations
 * LS has and we lack (created), that LS changed after our copy (updated, keyed by LS's updated_at as
 * a webhook would be), and ours that LS no longer has (deleted). Skipped annotations count like any
 * other. Pure.
 */
export function diffAnnotations(
  lsProjectId: number,
  lsTasks: LsTask[],
  local: LocalAnnotation[],
): AnnotationChange[] {
  const ours = new Map(local.map((a) => [a.lsAnnotationId, a]));
  const inLs = new Set<number>();
  const changes: AnnotationChange[] = [];
  for (const task of lsTasks) {
    for (const annotation of task.annotations ?? []) {
      inLs.add(annotation.id);
      const mine = ours.get(annotation.id);
      const withTask = {
        ...annotation,
        task: annotation.task ?? task.id,
        project: annotation.project ?? lsProjectId,
      };
      if (!mine) {
        changes.push(upsertFrom(withTask, "ANNOTATION_CREATED", lsProjectId));
        continue;
      }
      if (mine.state === "DELETED") continue; // our deletion stands; LS re-creating an id does not happen
      const change = upsertFrom(withTask, "ANNOTATION_UPDATED", lsProjectId);
      if (change.lsUpdatedAt && (!mine.lsUpdatedAt || change.lsUpdatedAt > mine.lsUpdatedAt))
        changes.push(change);
    }
  }
  for (const mine of local) {
    if (mine.state !== "DELETED" && !inLs.has(mine.lsAnnotationId)) {
      changes.push({
        kind: "delete",
        action: "ANNOTATIONS_DELETED",
        lsAnnotationId: mine.lsAnnotationId,
        lsProjectId,
      });
    }
  }
  return changes;
}
