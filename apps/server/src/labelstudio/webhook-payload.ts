import { z } from "zod";
import { LsAnnotation, LsTask } from "./types.js";

/** A webhook body from LS, normalised (contract §6.2, §6.3). */
export interface LsWebhookEvent {
  action: string;
  /** `project.id` of the payload, when LS sent the project. */
  projectId: number | null;
  /** Created/updated annotations; `ANNOTATIONS_CREATED` sends a list under the singular `annotation` key. */
  annotations: LsAnnotation[];
  /** Full tasks (`TASKS_CREATED`, and the `task` key of annotation events). */
  tasks: LsTask[];
  /** Ids of deleted annotations; null when LS sent none (payload degraded, §6.3): reconcile instead. */
  deletedAnnotationIds: number[] | null;
  /** Ids of deleted tasks; null when LS sent none. */
  deletedTaskIds: number[] | null;
}

const IdList = z.array(z.looseObject({ id: z.number() }));
const Envelope = z.looseObject({
  action: z.string(),
  project: z.looseObject({ id: z.number() }).nullish(),
  annotation: z.union([LsAnnotation, z.array(LsAnnotation)]).nullish(),
  task: z.union([LsTask, z.array(LsTask)]).nullish(),
  tasks: z.unknown().optional(),
  annotations: IdList.nullish(),
});

const asList = <T>(value: T | T[] | null | undefined): T[] =>
  value === null || value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * Parses any Community webhook body. Unknown actions are kept (the enum grows, §10.4); missing lists
 * become empty, or null for deletions so callers can tell "nothing" from "unknown".
 * @throws ZodError when the body has no `action` or carries malformed objects.
 */
export function parseWebhookPayload(body: unknown): LsWebhookEvent {
  const e = Envelope.parse(body);
  const isTaskDelete = e.action === "TASKS_DELETED";
  const taskList = isTaskDelete ? IdList.nullish().parse(e.tasks) : z.array(LsTask).nullish().parse(e.tasks);
  return {
    action: e.action,
    projectId: e.project?.id ?? null,
    annotations: asList(e.annotation),
    tasks: isTaskDelete ? asList(e.task) : [...asList(taskList as LsTask[] | null), ...asList(e.task)],
    deletedAnnotationIds:
      e.action === "ANNOTATIONS_DELETED" ? (e.annotations?.map((a) => a.id) ?? null) : null,
    deletedTaskIds: isTaskDelete ? (taskList?.map((t) => t.id) ?? null) : null,
  };
}
