import { createHash } from "node:crypto";

/** One annotation as stored by LabelFleet, with what the LS export needs. */
export interface ExportAnnotation {
  id: number;
  lsAnnotationId: number;
  result: unknown[];
  wasCancelled: boolean;
  leadTime: number | null;
  state: string;
  lsCreatedAt: Date | null;
  lsUpdatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ExportPrediction {
  id: number;
  modelVersion: string;
  result: unknown[];
  score: number | null;
  createdAt: Date;
}

/** One (non-gold) task of an assignment. */
export interface ExportTask {
  lsTaskId: number | null;
  itemId: number;
  position: number;
  sourceKey: string;
  storageKey: string;
  data: Record<string, unknown> | null;
  createdAt: Date;
  annotations: ExportAnnotation[];
  predictions: ExportPrediction[];
}

export interface ExportContext {
  lsProjectId: number | null;
  /** LS user id of the annotator (`completed_by`); LabelFleet's annotator id when unknown. */
  completedBy: number;
  /** The config's `$variables`: each gets the item's storage key (a signed URL would expire). */
  dataKeys: string[];
}

const iso = (value: Date | null | undefined) => (value ? value.toISOString() : null);

/**
 * The Label Studio JSON export of one assignment (contract §7.3: one element per task, full
 * annotation objects, `completed_by` as the user id). Like LS's default export it holds the tasks
 * with at least one annotation, skipped ones included; deleted annotations are left out. Pure.
 */
export function buildLsExport(tasks: ExportTask[], context: ExportContext) {
  return tasks
    .map((task) => ({ task, annotations: task.annotations.filter((a) => a.state !== "DELETED") }))
    .filter(({ annotations }) => annotations.length > 0)
    .map(({ task, annotations }) => {
      const data: Record<string, unknown> = { ...(task.data ?? {}) };
      for (const key of context.dataKeys) data[key] ??= task.storageKey;
      data.labelfleet_item_id = task.itemId;
      const live = annotations.filter((a) => !a.wasCancelled).length;
      const updated = annotations.reduce<Date>(
        (latest, a) => ((a.lsUpdatedAt ?? a.updatedAt) > latest ? (a.lsUpdatedAt ?? a.updatedAt) : latest),
        task.createdAt,
      );
      return {
        id: task.lsTaskId,
        inner_id: task.position + 1,
        project: context.lsProjectId,
        data,
        meta: { labelfleet_item_id: task.itemId, source_key: task.sourceKey, storage_key: task.storageKey },
        annotations: annotations.map((a) => ({
          id: a.lsAnnotationId,
          completed_by: context.completedBy,
          result: a.result,
          was_cancelled: a.wasCancelled,
          ground_truth: false,
          created_at: iso(a.lsCreatedAt ?? a.createdAt),
          updated_at: iso(a.lsUpdatedAt ?? a.updatedAt),
          lead_time: a.leadTime,
          task: task.lsTaskId,
          project: context.lsProjectId,
          state: a.state,
          labelfleet_annotation_id: a.id,
        })),
        predictions: task.predictions.map((p) => ({
          id: p.id,
          model_version: p.modelVersion,
          score: p.score,
          result: p.result,
          created_at: iso(p.createdAt),
        })),
        drafts: [],
        file_upload: null,
        created_at: iso(task.createdAt),
        updated_at: iso(updated),
        updated_by: null,
        total_annotations: live,
        cancelled_annotations: annotations.length - live,
        total_predictions: task.predictions.length,
        comment_count: 0,
        unresolved_comment_count: 0,
        last_comment_updated_at: null,
        comment_authors: [],
      };
    });
}
export type LsExportFile = ReturnType<typeof buildLsExport>;

/** The manifest written beside an export: counts and the SHA-256 of the exact bytes written. */
export function exportManifest(
  body: string,
  exported: LsExportFile,
  info: { assignmentId: number; workflowId: number; annotatorId: number; key: string; taskCount: number },
) {
  const annotations = exported.flatMap((t) => t.annotations);
  const skipped = annotations.filter((a) => a.was_cancelled).length;
  return {
    format: "label-studio-json",
    ...info,
    exportedTasks: exported.length,
    annotationCount: annotations.length - skipped,
    skippedCount: skipped,
    bytes: Buffer.byteLength(body),
    sha256: createHash("sha256").update(body).digest("hex"),
  };
}

/** `exports/x` and `exports/x/` both become `exports/x/`; an empty path exports at the root. */
export function exportKeyOf(s3ExportPath: string, assignmentId: number) {
  const prefix = s3ExportPath.replace(/^\/+/, "").replace(/\/*$/, "/");
  const base = prefix === "/" ? "" : prefix;
  return {
    file: `${base}assignment-${assignmentId}.json`,
    manifest: `${base}assignment-${assignmentId}.manifest.json`,
  };
}
