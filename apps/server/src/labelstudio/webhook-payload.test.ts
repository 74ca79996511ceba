import { describe, expect, it } from "vitest";
import { parseWebhookPayload } from "./webhook-payload.js";

// Payload shapes of contract §6.2/§6.3 (abbreviated skeletons from the contract).
const annotation = {
  id: 17,
  task: 19,
  project: 2,
  completed_by: 1,
  result: [],
  was_cancelled: false,
  ground_truth: false,
};
const task = { id: 19, project: 2, data: { image: "s3://bucket/a.jpg" }, meta: {}, is_labeled: true };
const project = { id: 2, title: "batch-0042", task_number: 50 };

describe("parseWebhookPayload (§6.2, §6.3)", () => {
  it.each([
    ["ANNOTATION_CREATED", { annotation, task, project }, { annotations: [17], tasks: [19], deleted: null }],
    [
      "ANNOTATIONS_CREATED",
      { annotation: [annotation, { ...annotation, id: 18 }], task: [task], project },
      { annotations: [17, 18], tasks: [19], deleted: null },
    ],
    ["ANNOTATION_UPDATED", { annotation, task, project }, { annotations: [17], tasks: [19], deleted: null }],
    [
      "ANNOTATIONS_DELETED",
      { annotations: [{ id: 17 }], project },
      { annotations: [], tasks: [], deleted: [17] },
    ],
    ["ANNOTATIONS_DELETED", {}, { annotations: [], tasks: [], deleted: null }],
    ["TASKS_CREATED", { tasks: [task], project }, { annotations: [], tasks: [19], deleted: null }],
  ])("%s %j", (action, payload, want) => {
    const e = parseWebhookPayload({ action, ...payload });
    expect(e.action).toBe(action);
    expect(e.annotations.map((a) => a.id)).toEqual(want.annotations);
    expect(e.tasks.map((t) => t.id)).toEqual(want.tasks);
    expect(e.deletedAnnotationIds).toEqual(want.deleted);
    expect(e.projectId).toBe("project" in payload ? 2 : null);
  });

  it("TASKS_DELETED carries ids only, possibly none at all", () => {
    expect(
      parseWebhookPayload({ action: "TASKS_DELETED", tasks: [{ id: 5 }], project }).deletedTaskIds,
    ).toEqual([5]);
    expect(parseWebhookPayload({ action: "TASKS_DELETED" }).deletedTaskIds).toBeNull();
  });

  it("keeps unknown actions and extra fields, rejects bodies without an action", () => {
    expect(parseWebhookPayload({ action: "SOMETHING_NEW", extra: 1 }).action).toBe("SOMETHING_NEW");
    expect(() => parseWebhookPayload({ annotation })).toThrow();
  });
});
