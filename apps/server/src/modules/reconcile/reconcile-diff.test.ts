import { describe, expect, it } from "vitest";
import { LsTask } from "../../labelstudio/types.js";
import { diffAnnotations } from "./reconcile-diff.js";

const task = (id: number, annotations: Array<{ id: number; updated_at: string; was_cancelled?: boolean }>) =>
  LsTask.parse({
    id,
    data: {},
    annotations: annotations.map((a) => ({ result: [], created_at: "2026-01-01T00:00:00Z", ...a })),
  });
const at = (s: string) => new Date(s);

describe("diffAnnotations", () => {
  it("creates what LS has and we lack, with the task and project filled in", () => {
    const [change] = diffAnnotations(7, [task(70, [{ id: 1, updated_at: "2026-01-01T00:00:01Z" }])], []);
    expect(change).toMatchObject({
      kind: "upsert",
      action: "ANNOTATION_CREATED",
      lsAnnotationId: 1,
      lsTaskId: 70,
      lsProjectId: 7,
    });
  });

  it("updates only what LS changed after our copy", () => {
    const local = [
      { lsAnnotationId: 1, lsUpdatedAt: at("2026-01-01T00:00:01Z"), state: "CREATED" },
      { lsAnnotationId: 2, lsUpdatedAt: at("2026-01-01T00:00:05Z"), state: "ACCEPTED" },
    ];
    const changes = diffAnnotations(
      7,
      [
        task(70, [{ id: 1, updated_at: "2026-01-01T00:00:09Z" }]),
        task(71, [{ id: 2, updated_at: "2026-01-01T00:00:05Z" }]),
      ],
      local,
    );
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      action: "ANNOTATION_UPDATED",
      lsAnnotationId: 1,
      lsUpdatedAt: at("2026-01-01T00:00:09Z"),
    });
  });

  it("deletes ours that LS no longer has, once", () => {
    const local = [
      { lsAnnotationId: 3, lsUpdatedAt: null, state: "CREATED" },
      { lsAnnotationId: 4, lsUpdatedAt: null, state: "DELETED" },
    ];
    expect(diffAnnotations(7, [task(70, [])], local)).toEqual([
      { kind: "delete", action: "ANNOTATIONS_DELETED", lsAnnotationId: 3, lsProjectId: 7 },
    ]);
  });

  it("keeps skipped annotations and reports nothing for a project in sync", () => {
    const lsTasks = [task(70, [{ id: 5, updated_at: "2026-01-01T00:00:01Z", was_cancelled: true }])];
    const [created] = diffAnnotations(7, lsTasks, []);
    expect(created).toMatchObject({ wasCancelled: true });
    expect(
      diffAnnotations(7, lsTasks, [
        { lsAnnotationId: 5, lsUpdatedAt: at("2026-01-01T00:00:01Z"), state: "CREATED" },
      ]),
    ).toEqual([]);
  });
});
