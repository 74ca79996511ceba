import { describe, expect, it } from "vitest";
import { parseWebhookPayload } from "../../labelstudio/webhook-payload.js";
import { eventKey, toAnnotationChanges } from "./annotation-changes.js";

const annotation = {
  id: 17,
  task: 19,
  project: 2,
  completed_by: 1,
  result: [{ from_name: "label", to_name: "image", type: "choices", value: { choices: ["cat"] } }],
  was_cancelled: false,
  lead_time: 37.1,
  created_at: "2026-04-06T12:00:00Z",
  updated_at: "2026-04-06T12:00:05Z",
};
const parse = (body: unknown) => toAnnotationChanges(parseWebhookPayload(body));

describe("toAnnotationChanges (contract §6.2–6.3)", () => {
  it("reads ANNOTATION_CREATED with the full annotation, task and project", () => {
    const [change] = parse({
      action: "ANNOTATION_CREATED",
      annotation,
      task: { id: 19, data: {} },
      project: { id: 2, title: "b" },
    });
    expect(change).toEqual({
      kind: "upsert",
      action: "ANNOTATION_CREATED",
      lsAnnotationId: 17,
      lsTaskId: 19,
      lsProjectId: 2,
      result: annotation.result,
      leadTimeSeconds: 37.1,
      wasCancelled: false,
      lsCreatedAt: new Date("2026-04-06T12:00:00Z"),
      lsUpdatedAt: new Date("2026-04-06T12:00:05Z"),
    });
  });

  it("reads ANNOTATIONS_CREATED whose singular `annotation` key holds a list", () => {
    const changes = parse({
      action: "ANNOTATIONS_CREATED",
      annotation: [annotation, { ...annotation, id: 18 }],
    });
    expect(changes.map((c) => c.kind === "upsert" && c.lsAnnotationId)).toEqual([17, 18]);
  });

  it("reads the plural ANNOTATIONS_DELETED, with and without its list", () => {
    expect(parse({ action: "ANNOTATIONS_DELETED", annotations: [{ id: 17 }], project: { id: 2 } })).toEqual([
      { kind: "delete", action: "ANNOTATIONS_DELETED", lsAnnotationId: 17, lsProjectId: 2 },
    ]);
    expect(parse({ action: "ANNOTATIONS_DELETED" })).toEqual([
      { kind: "delete", action: "ANNOTATIONS_DELETED", lsAnnotationId: null, lsProjectId: null },
    ]);
  });

  it("ignores actions that change no annotation", () => {
    expect(parse({ action: "PROJECT_UPDATED", project: { id: 2 } })).toEqual([]);
    expect(parse({ action: "TASKS_CREATED", tasks: [{ id: 1, data: {} }] })).toEqual([]);
  });
});

describe("eventKey", () => {
  it("keys a re-sent creation identically and a later update differently", () => {
    const [created] = parse({ action: "ANNOTATION_CREATED", annotation });
    const [again] = parse({ action: "ANNOTATION_CREATED", annotation });
    const [updated] = parse({ action: "ANNOTATION_UPDATED", annotation });
    const [later] = parse({
      action: "ANNOTATION_UPDATED",
      annotation: { ...annotation, updated_at: "2026-04-06T12:09:00Z" },
    });
    expect(eventKey(1, created!)).toBe(eventKey(1, again!));
    expect(eventKey(1, created!)).not.toBe(eventKey(1, updated!));
    expect(eventKey(1, updated!)).not.toBe(eventKey(1, later!));
    expect(eventKey(1, created!)).not.toBe(eventKey(2, created!));
  });
});
