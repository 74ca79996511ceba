import { describe, expect, it } from "vitest";
import {
  allowedTransitions,
  canTransition,
  FSM_ENTITIES,
  type FsmEntity,
  findTransition,
  MACHINES,
  resolveEntityName,
} from "./machines.js";

// The machines as the issue states them, written out independently of machines.ts.
const ANN = ["created", "starting", "active", "paused", "stopping", "stopped", "error", "deleted"];
const TASK = [
  "CREATED",
  "IN_PROGRESS",
  "COMPLETED",
  "IN_REVIEW",
  "ACCEPTED",
  "REJECTED",
  "REWORK",
  "ESCALATED",
  "ARCHIVED",
];
type Row = [transition: string, from: string[], to: string, manual: boolean];
const EXPECTED: Record<FsmEntity, { states: string[]; rows: Row[] }> = {
  annotator: {
    states: ANN,
    rows: [
      ["start", ["created", "stopped", "error"], "starting", false],
      ["activate", ["starting"], "active", false],
      ["fail", ["starting", "active", "paused", "stopping"], "error", false],
      ["restart", ["error"], "starting", false],
      ["pause", ["active"], "paused", true],
      ["resume", ["paused"], "active", true],
      ["stop", ["starting", "active", "paused", "error"], "stopping", false],
      ["mark_stopped", ["stopping"], "stopped", false],
      ["delete", ANN.filter((s) => s !== "deleted"), "deleted", false],
    ],
  },
  assignment: {
    states: ["pending", "in_progress", "completed", "failed", "cancelled"],
    rows: [
      ["deliver", ["pending"], "in_progress", false],
      ["complete", ["in_progress"], "completed", false],
      ["fail", ["pending", "in_progress"], "failed", false],
      ["cancel", ["pending", "in_progress"], "cancelled", true],
      ["retry", ["failed"], "pending", true],
    ],
  },
  workflow: {
    states: ["CREATED", "IN_PROGRESS", "PAUSED", "COMPLETED"],
    rows: [
      ["start", ["CREATED"], "IN_PROGRESS", false],
      ["pause", ["CREATED", "IN_PROGRESS"], "PAUSED", true],
      ["resume", ["PAUSED"], "IN_PROGRESS", true],
      ["complete", ["IN_PROGRESS", "PAUSED"], "COMPLETED", true],
      ["reopen", ["COMPLETED"], "IN_PROGRESS", true],
    ],
  },
  task: {
    states: TASK,
    rows: [
      ["assign", ["CREATED", "REWORK"], "IN_PROGRESS", false],
      ["release", ["IN_PROGRESS"], "CREATED", false],
      ["complete", ["IN_PROGRESS"], "COMPLETED", false],
      ["uncomplete", ["COMPLETED"], "IN_PROGRESS", false],
      ["send_to_review", ["COMPLETED"], "IN_REVIEW", false],
      ["accept", ["COMPLETED", "IN_REVIEW"], "ACCEPTED", false],
      ["reject", ["COMPLETED", "IN_REVIEW"], "REJECTED", false],
      ["rework", ["REJECTED"], "REWORK", false],
      ["escalate", ["REJECTED", "REWORK", "IN_REVIEW", "COMPLETED"], "ESCALATED", true],
      ["archive", TASK.filter((s) => s !== "ARCHIVED"), "ARCHIVED", true],
      ["reopen", ["ARCHIVED", "ESCALATED"], "CREATED", true],
    ],
  },
  annotation: {
    states: ["CREATED", "ACCEPTED", "REJECTED", "DELETED"],
    rows: [
      ["accept", ["CREATED"], "ACCEPTED", false],
      ["reject", ["CREATED"], "REJECTED", false],
      ["delete", ["CREATED", "ACCEPTED", "REJECTED"], "DELETED", false],
      ["restore", ["DELETED"], "CREATED", false],
    ],
  },
};

describe.each(FSM_ENTITIES)("the %s machine", (entity) => {
  const expected = EXPECTED[entity];
  const machine = MACHINES[entity];

  it("declares exactly the expected states and transitions", () => {
    expect([...machine.states]).toEqual(expected.states);
    expect(machine.initial).toBe(expected.states[0]);
    expect(Object.keys(machine.transitions).sort()).toEqual(expected.rows.map((r) => r[0]).sort());
  });

  it.each(expected.rows)("%s: from %j to %s (manual %s)", (name, from, to, manual) => {
    const def = findTransition(entity, name);
    expect(def).toMatchObject({ name, to, manual });
    for (const state of expected.states) {
      expect(canTransition(entity, state, name), `${name} from ${state}`).toBe(from.includes(state));
    }
  });

  it("lists allowed transitions per state, all and manual only", () => {
    for (const state of expected.states) {
      const all = expected.rows.filter((r) => r[1].includes(state)).map((r) => r[0]);
      expect(allowedTransitions(entity, state).sort()).toEqual(all.sort());
      const manual = expected.rows.filter((r) => r[1].includes(state) && r[3]).map((r) => r[0]);
      expect(allowedTransitions(entity, state, { manualOnly: true }).sort()).toEqual(manual.sort());
    }
  });
});

describe("entity names", () => {
  it.each([
    ["annotator", "annotator"],
    ["assignment", "assignment"],
    ["workflow", "workflow"],
    ["project", "workflow"],
    ["task", "task"],
    ["item", "task"],
    ["annotation", "annotation"],
    ["Project", "workflow"],
  ])("%s → %s", (name, entity) => expect(resolveEntityName(name)).toBe(entity));

  it.each(["user", "comment", "", "projects", "__proto__", "constructor"])("%j is unknown", (name) => {
    expect(resolveEntityName(name)).toBeNull();
  });

  it("has no unknown transition", () => {
    expect(findTransition("task", "fly")).toBeNull();
    expect(findTransition("task", "constructor")).toBeNull();
    expect(canTransition("workflow", "CREATED", "toString")).toBe(false);
  });
});
