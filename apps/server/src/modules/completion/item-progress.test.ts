import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { annotations } from "../../db/schema/index.js";
import { assignmentFixtures } from "../assignments/test-fixtures.js";
import { deriveTaskState } from "../fsm/backfill-rules.js";
import { syncItemProgress } from "./item-progress.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("syncItemProgress after an annotation of a completed task goes away", () => {
  it.each([
    {
      required: 1,
      annotate: 1,
      remove: 1,
      state: "CREATED",
      path: ["assign", "complete", "uncomplete", "release"],
    },
    { required: 2, annotate: 2, remove: 1, state: "IN_PROGRESS", path: ["assign", "complete", "uncomplete"] },
  ])(
    "annotationsPerItem $required, $annotate annotated, $remove deleted → $state",
    async ({ required, annotate, remove, state, path }) => {
      const f = assignmentFixtures(t.services);
      const org = await f.organizationId();
      const workflow = await f.workflow(org, { annotationsPerItem: required });
      await f.items(org, workflow.id, 1);
      const [item] = await f.itemRows(workflow.id);
      const stored = [];
      for (let i = 0; i < annotate; i++) {
        const annotator = await f.annotator(org);
        const [row] = await t.db
          .insert(annotations)
          .values({
            organizationId: org,
            itemId: item!.id,
            annotatorId: annotator.id,
            lsAnnotationId: 1,
            result: [],
          })
          .returning();
        stored.push(row!);
      }
      expect(await syncItemProgress(t.db, item!.id)).toEqual({
        state: "COMPLETED",
        annotatedCount: annotate,
      });

      // Deleted in LS (the ingestion's `delete` transition, written directly here).
      for (const row of stored.slice(0, remove)) {
        await t.db.update(annotations).set({ state: "DELETED" }).where(eq(annotations.id, row.id));
      }
      const live = annotate - remove;
      expect(await syncItemProgress(t.db, item!.id)).toEqual({ state, annotatedCount: live });
      expect((await f.history("task", item!.id)).map((h) => h.transitionName)).toEqual(path);
      // The live path lands where the state backfill would (same facts, same rule).
      expect(deriveTaskState("COMPLETED", { liveAnnotations: live, required, openHolds: 0 })).toBe(state);
      // Idempotent: a second run changes nothing.
      expect(await syncItemProgress(t.db, item!.id)).toEqual({ state, annotatedCount: live });
      expect(await f.history("task", item!.id)).toHaveLength(path.length);
    },
  );
});
