/**
 * The declared state machines of LabelFleet (DESIGN §5). Pure data: no database, no I/O, so the UI,
 * the API and the tests read the same tables. `transition.ts` is the only code that applies them.
 */

export type FsmEntity = "annotator" | "assignment" | "workflow" | "task" | "annotation";
export const FSM_ENTITIES: readonly FsmEntity[] = [
  "annotator",
  "assignment",
  "workflow",
  "task",
  "annotation",
];

export interface TransitionDef {
  name: string;
  from: readonly string[];
  to: string;
  /** Also callable through the manual-transition API (otherwise automatic only). */
  manual: boolean;
}

export interface MachineDef {
  entity: FsmEntity;
  states: readonly string[];
  /** The state an entity is created in (the column default). */
  initial: string;
  transitions: Readonly<Record<string, TransitionDef>>;
}

type Spec = [from: readonly string[] | { anyBut: string }, to: string, manual?: "manual"];

function machine(entity: FsmEntity, states: readonly string[], table: Record<string, Spec>): MachineDef {
  const transitions: Record<string, TransitionDef> = {};
  for (const [name, [from, to, manual]] of Object.entries(table)) {
    const fromStates = Array.isArray(from)
      ? from
      : states.filter((s) => s !== (from as { anyBut: string }).anyBut);
    for (const state of [...fromStates, to]) {
      if (!states.includes(state)) throw new Error(`${entity}.${name}: unknown state ${state}`);
    }
    transitions[name] = { name, from: Object.freeze([...fromStates]), to, manual: manual === "manual" };
  }
  return Object.freeze({ entity, states, initial: states[0]!, transitions: Object.freeze(transitions) });
}

export const MACHINES: Readonly<Record<FsmEntity, MachineDef>> = Object.freeze({
  annotator: machine(
    "annotator",
    ["created", "starting", "active", "paused", "stopping", "stopped", "error", "deleted"],
    {
      start: [["created", "stopped", "error"], "starting"],
      activate: [["starting"], "active"],
      fail: [["starting", "active", "paused", "stopping"], "error"],
      restart: [["error"], "starting"],
      pause: [["active"], "paused", "manual"],
      resume: [["paused"], "active", "manual"],
      stop: [["starting", "active", "paused", "error"], "stopping"],
      mark_stopped: [["stopping"], "stopped"],
      delete: [{ anyBut: "deleted" }, "deleted"],
    },
  ),
  assignment: machine("assignment", ["pending", "in_progress", "completed", "failed", "cancelled"], {
    deliver: [["pending"], "in_progress"],
    complete: [["in_progress"], "completed"],
    fail: [["pending", "in_progress"], "failed"],
    cancel: [["pending", "in_progress"], "cancelled", "manual"],
    retry: [["failed"], "pending", "manual"],
  }),
  workflow: machine("workflow", ["CREATED", "IN_PROGRESS", "PAUSED", "COMPLETED"], {
    start: [["CREATED"], "IN_PROGRESS"],
    pause: [["CREATED", "IN_PROGRESS"], "PAUSED", "manual"],
    resume: [["PAUSED"], "IN_PROGRESS", "manual"],
    complete: [["IN_PROGRESS", "PAUSED"], "COMPLETED", "manual"],
    reopen: [["COMPLETED"], "IN_PROGRESS", "manual"],
  }),
  task: machine(
    "task",
    [
      "CREATED",
      "IN_PROGRESS",
      "COMPLETED",
      "IN_REVIEW",
      "ACCEPTED",
      "REJECTED",
      "REWORK",
      "ESCALATED",
      "ARCHIVED",
    ],
    {
      assign: [["CREATED", "REWORK"], "IN_PROGRESS"],
      release: [["IN_PROGRESS"], "CREATED"],
      complete: [["IN_PROGRESS"], "COMPLETED"],
      // An annotation of a completed task was deleted (or skipped) in LS: it needs annotating again.
      uncomplete: [["COMPLETED"], "IN_PROGRESS"],
      send_to_review: [["COMPLETED"], "IN_REVIEW"],
      accept: [["COMPLETED", "IN_REVIEW"], "ACCEPTED"],
      reject: [["COMPLETED", "IN_REVIEW"], "REJECTED"],
      rework: [["REJECTED"], "REWORK"],
      escalate: [["REJECTED", "REWORK", "IN_REVIEW", "COMPLETED"], "ESCALATED", "manual"],
      archive: [{ anyBut: "ARCHIVED" }, "ARCHIVED", "manual"],
      reopen: [["ARCHIVED", "ESCALATED"], "CREATED", "manual"],
    },
  ),
  annotation: machine("annotation", ["CREATED", "ACCEPTED", "REJECTED", "DELETED"], {
    accept: [["CREATED"], "ACCEPTED"],
    reject: [["CREATED"], "REJECTED"],
    delete: [["CREATED", "ACCEPTED", "REJECTED"], "DELETED"],
    restore: [["DELETED"], "CREATED"],
  }),
});

/** API names → entities: LS Enterprise calls a workflow `project`; an item is a `task`. */
const ALIASES: Readonly<Record<string, FsmEntity>> = {
  annotator: "annotator",
  assignment: "assignment",
  workflow: "workflow",
  project: "workflow",
  task: "task",
  item: "task",
  annotation: "annotation",
};

/** The entity for an API `entity_name` (case-insensitive, aliases allowed), or null when unknown. */
export function resolveEntityName(name: string): FsmEntity | null {
  const key = name.toLowerCase();
  // Own keys only: "constructor" or "__proto__" must not resolve through the prototype.
  return Object.hasOwn(ALIASES, key) ? (ALIASES[key] ?? null) : null;
}

export function findTransition(entity: FsmEntity, transition: string): TransitionDef | null {
  const transitions = MACHINES[entity].transitions;
  return Object.hasOwn(transitions, transition) ? (transitions[transition] ?? null) : null;
}

/** Names of the transitions allowed from `state` (all, or only the manual ones). */
export function allowedTransitions(entity: FsmEntity, state: string, options: { manualOnly?: boolean } = {}) {
  return Object.values(MACHINES[entity].transitions)
    .filter((t) => t.from.includes(state) && (!options.manualOnly || t.manual))
    .map((t) => t.name);
}

/** Whether `transition` may run from `state`. */
export function canTransition(entity: FsmEntity, state: string, transition: string): boolean {
  return findTransition(entity, transition)?.from.includes(state) ?? false;
}
