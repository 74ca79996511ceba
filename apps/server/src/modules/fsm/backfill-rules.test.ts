import { describe, expect, it } from "vitest";
import {
  deriveAnnotationState,
  deriveAnnotatorState,
  deriveAssignmentState,
  deriveTaskState,
  deriveWorkflowState,
} from "./backfill-rules.js";

describe("backfill derivation rules", () => {
  it.each([
    ["pending", 2, 2, false, "completed"],
    ["in_progress", 2, 1, true, "in_progress"],
    ["completed", 2, 1, true, "in_progress"],
    ["completed", 2, 0, false, "pending"],
    ["pending", 0, 0, true, "in_progress"],
    ["cancelled", 2, 2, true, "cancelled"],
    ["failed", 2, 0, true, "failed"],
    ["bogus", 0, 0, false, "pending"],
  ])(
    "assignment stored %s, %i tasks, %i done, delivered %s → %s",
    (stored, taskCount, completedCount, isDelivered, expected) => {
      expect(deriveAssignmentState(stored, { taskCount, completedCount, isDelivered })).toBe(expected);
    },
  );

  it.each([
    ["CREATED", 1, 1, 0, "COMPLETED"],
    ["IN_PROGRESS", 1, 3, 0, "IN_PROGRESS"],
    ["COMPLETED", 0, 1, 1, "IN_PROGRESS"],
    ["COMPLETED", 0, 1, 0, "CREATED"],
    ["CREATED", 3, 3, 0, "COMPLETED"],
    ["CREATED", 1, 0, 0, "COMPLETED"],
    ["ARCHIVED", 0, 1, 0, "ARCHIVED"],
    ["REJECTED", 5, 1, 0, "REJECTED"],
    ["BOGUS", 0, 1, 0, "CREATED"],
  ])(
    "task stored %s, %i live of %i required, %i holds → %s",
    (stored, liveAnnotations, required, openHolds, expected) => {
      expect(deriveTaskState(stored, { liveAnnotations, required, openHolds })).toBe(expected);
    },
  );

  it.each([
    ["CREATED", 0, "CREATED"],
    ["CREATED", 2, "IN_PROGRESS"],
    ["PAUSED", 0, "PAUSED"],
    ["COMPLETED", 3, "COMPLETED"],
    ["IN_PROGRESS", 0, "IN_PROGRESS"],
    ["nope", 0, "CREATED"],
  ])("workflow stored %s with %i assignments → %s", (stored, assignmentCount, expected) => {
    expect(deriveWorkflowState(stored, { assignmentCount })).toBe(expected);
  });

  it("annotations keep valid states and reset invalid ones", () => {
    for (const state of ["CREATED", "ACCEPTED", "REJECTED", "DELETED"])
      expect(deriveAnnotationState(state)).toBe(state);
    expect(deriveAnnotationState("SUBMITTED")).toBe("CREATED");
  });

  it.each([
    ["paused", false, false, "paused"],
    ["zombie", true, true, "error"],
    ["zombie", true, false, "stopped"],
    ["zombie", false, false, "created"],
  ])("annotator stored %s, container %s, error %s → %s", (stored, hasContainer, hasError, expected) => {
    expect(deriveAnnotatorState(stored, { hasContainer, hasError })).toBe(expected);
  });
});
