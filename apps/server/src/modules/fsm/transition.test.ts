import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres } from "../../../test/helpers/database.js";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { fsmStateHistory } from "../../db/schema/index.js";
import { isAppError } from "../../lib/app-error.js";
import { ENTITY_STORAGE } from "./entities.js";
import { fsmFixtures, testOrganizations } from "./fsm-fixtures.js";
import { allowedTransitions, FSM_ENTITIES, type FsmEntity, MACHINES } from "./machines.js";
import { applyTransition, applyTransitionMany, findCurrentState, recordCreation } from "./transition.js";

let t: TestApp;
let orgId: number;
let otherOrgId: number;
let make: ReturnType<typeof fsmFixtures>;
let workflowId: number;
let annotatorId: number;
let itemId: number;

beforeAll(async () => {
  t = await createTestApp();
  ({ orgId, otherOrgId } = await testOrganizations(t.services));
  make = fsmFixtures(t.db);
  workflowId = (await make.workflow(orgId)).id;
  annotatorId = (await make.annotator(orgId)).id;
  itemId = (await make.item(orgId, workflowId)).id;
});
afterAll(() => t.close());

/** A new entity of `entity` stored in `state`. */
async function entityIn(entity: FsmEntity, state: string, organizationId = orgId): Promise<number> {
  switch (entity) {
    case "annotator":
      return (await make.annotator(organizationId, state as never)).id;
    case "assignment":
      return (await make.assignment(orgId, workflowId, annotatorId, { status: state as never })).id;
    case "workflow":
      return (await make.workflow(organizationId, state as never)).id;
    case "task":
      return (await make.item(orgId, workflowId, { state: state as never })).id;
    case "annotation":
      return (await make.annotation(orgId, itemId, annotatorId, { state: state as never })).id;
  }
}

const historyOf = (entity: FsmEntity, id: number) =>
  t.db
    .select()
    .from(fsmStateHistory)
    .where(and(eq(fsmStateHistory.entityName, entity), eq(fsmStateHistory.entityId, String(id))))
    .orderBy(fsmStateHistory.id);

async function errorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe.each(FSM_ENTITIES)("applyTransition on %s", (entity) => {
  const machine = MACHINES[entity];
  const cases = Object.values(machine.transitions).flatMap((def) =>
    machine.states.map((state) => ({ name: def.name, state, allowed: def.from.includes(state), to: def.to })),
  );

  it("applies every allowed (transition, state) pair and refuses every other with 409", async () => {
    for (const { name, state, allowed, to } of cases) {
      const id = await entityIn(entity, state);
      const attempt = applyTransition(t.db, {
        organizationId: orgId,
        entity,
        entityId: id,
        transition: name,
        triggeredBy: null,
        reason: "table test",
        context: { case: `${name}@${state}` },
      });
      if (allowed) {
        const result = await attempt;
        expect(result, `${name} from ${state}`).toMatchObject({ previousState: state, state: to });
        expect(await findCurrentState(t.db, orgId, entity, id)).toBe(to);
        const history = await historyOf(entity, id);
        expect(history).toHaveLength(1);
        expect(history[0]).toMatchObject({
          id: result.historyId,
          organizationId: orgId,
          state: to,
          previousState: state,
          transitionName: name,
          reason: "table test",
          contextData: { case: `${name}@${state}` },
          triggeredById: null,
        });
        expect(history[0]!.id).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
      } else {
        const error = await errorOf(attempt);
        expect(error.code, `${name} from ${state}`).toBe("CONFLICT");
        expect(error.extra).toEqual({
          current_state: state,
          allowed_transitions: allowedTransitions(entity, state),
        });
        expect(await findCurrentState(t.db, orgId, entity, id)).toBe(state);
        expect(await historyOf(entity, id)).toHaveLength(0);
      }
    }
  });
});

describe("applyTransition guards", () => {
  it("refuses a stale expectedState with 409 and accepts the right one", async () => {
    const id = await entityIn("workflow", "CREATED");
    const stale = await errorOf(
      applyTransition(t.db, {
        organizationId: orgId,
        entity: "workflow",
        entityId: id,
        transition: "start",
        expectedState: "PAUSED",
      }),
    );
    expect(stale.code).toBe("CONFLICT");
    expect(stale.extra).toMatchObject({ current_state: "CREATED" });
    const ok = await applyTransition(t.db, {
      organizationId: orgId,
      entity: "workflow",
      entityId: id,
      transition: "start",
      expectedState: "CREATED",
    });
    expect(ok.state).toBe("IN_PROGRESS");
  });

  it("answers NOT_FOUND for another organization's entity or a missing id, BAD_REQUEST for an unknown transition", async () => {
    const foreign = await entityIn("workflow", "CREATED", otherOrgId);
    const other = await errorOf(
      applyTransition(t.db, {
        organizationId: orgId,
        entity: "workflow",
        entityId: foreign,
        transition: "start",
      }),
    );
    expect(other.code).toBe("NOT_FOUND");
    expect(await findCurrentState(t.db, otherOrgId, "workflow", foreign)).toBe("CREATED");
    for (const entityId of [999_999, 2 ** 40]) {
      const missing = await errorOf(
        applyTransition(t.db, { organizationId: orgId, entity: "workflow", entityId, transition: "start" }),
      );
      expect(missing.code).toBe("NOT_FOUND");
    }
    const unknown = await errorOf(
      applyTransition(t.db, {
        organizationId: orgId,
        entity: "workflow",
        entityId: foreign,
        transition: "fly",
      }),
    );
    expect(unknown.code).toBe("BAD_REQUEST");
  });

  it("records the member who triggered it", async () => {
    const rows = (await t.db.execute(sql`select id from members order by id limit 1`)) as unknown as {
      rows: { id: number }[];
    };
    const memberId = Number(rows.rows[0]!.id);
    const id = await entityIn("assignment", "pending");
    await applyTransition(t.db, {
      organizationId: orgId,
      entity: "assignment",
      entityId: id,
      transition: "cancel",
      triggeredBy: memberId,
    });
    expect((await historyOf("assignment", id))[0]!.triggeredById).toBe(memberId);
  });

  it("joins the caller's transaction: a rollback undoes the state and the history row", async () => {
    const id = await entityIn("task", "CREATED");
    await expect(
      t.db.transaction(async (tx) => {
        await applyTransition(tx, {
          organizationId: orgId,
          entity: "task",
          entityId: id,
          transition: "assign",
        });
        expect(await findCurrentState(tx, orgId, "task", id)).toBe("IN_PROGRESS");
        throw new Error("caller fails later");
      }),
    ).rejects.toThrow("caller fails later");
    expect(await findCurrentState(t.db, orgId, "task", id)).toBe("CREATED");
    expect(await historyOf("task", id)).toHaveLength(0);
  });

  it("a refused transition inside a transaction leaves the caller's transaction usable", async () => {
    const id = await entityIn("task", "CREATED");
    await t.db.transaction(async (tx) => {
      await expect(
        applyTransition(tx, { organizationId: orgId, entity: "task", entityId: id, transition: "complete" }),
      ).rejects.toMatchObject({ code: "CONFLICT" });
      await applyTransition(tx, {
        organizationId: orgId,
        entity: "task",
        entityId: id,
        transition: "assign",
      });
    });
    expect(await findCurrentState(t.db, orgId, "task", id)).toBe("IN_PROGRESS");
  });
});

describe("applyTransitionMany", () => {
  it("transitions the entities that allow it, skips the others, one history row each", async () => {
    const created = [await entityIn("task", "CREATED"), await entityIn("task", "REWORK")];
    const blocked = [await entityIn("task", "ARCHIVED"), await entityIn("task", "COMPLETED")];
    const foreign = await (async () => {
      const wf = await make.workflow(otherOrgId);
      return (await make.item(otherOrgId, wf.id)).id;
    })();
    const result = await applyTransitionMany(t.db, {
      organizationId: orgId,
      entity: "task",
      entityIds: [...created, ...blocked, foreign, 123_456_789, created[0]!],
      transition: "assign",
      context: { batch: true },
    });
    expect(result.transitioned).toEqual([...created].sort((a, b) => a - b));
    expect(result.skipped.sort((a, b) => a - b)).toEqual(
      [...blocked, foreign, 123_456_789].sort((a, b) => a - b),
    );
    for (const [i, id] of created.entries()) {
      expect(await findCurrentState(t.db, orgId, "task", id)).toBe("IN_PROGRESS");
      const history = await historyOf("task", id);
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({
        previousState: i === 0 ? "CREATED" : "REWORK",
        transitionName: "assign",
      });
    }
    for (const id of blocked) expect(await historyOf("task", id)).toHaveLength(0);
    expect(await findCurrentState(t.db, otherOrgId, "task", foreign)).toBe("CREATED");
  });

  it("handles an empty list and more ids than one chunk", async () => {
    expect(
      await applyTransitionMany(t.db, {
        organizationId: orgId,
        entity: "task",
        entityIds: [],
        transition: "archive",
      }),
    ).toEqual({ transitioned: [], skipped: [] });
    const ids = Array.from({ length: 5200 }, (_, i) => 10_000_000 + i);
    const real = await entityIn("task", "CREATED");
    const result = await applyTransitionMany(t.db, {
      organizationId: orgId,
      entity: "task",
      entityIds: [...ids, real],
      transition: "archive",
    });
    expect(result.transitioned).toEqual([real]);
    expect(result.skipped).toHaveLength(5200);
  });
});

describe("recordCreation", () => {
  it("writes the first row with previous_state null and transition create", async () => {
    const id = await entityIn("annotator", "created");
    await recordCreation(t.db, {
      organizationId: orgId,
      entity: "annotator",
      entityId: id,
      state: "created",
      context: { by: "test" },
    });
    const [row] = await historyOf("annotator", id);
    expect(row).toMatchObject({
      state: "created",
      previousState: null,
      transitionName: "create",
      contextData: { by: "test" },
    });
  });
});

describe("concurrency (PostgreSQL)", () => {
  it.runIf(onPostgres)(
    "two transitions on one entity at once: exactly one wins, the other gets 409",
    async () => {
      for (let round = 0; round < 10; round++) {
        // complete and cancel exclude each other: whichever commits first leaves a state the other refuses.
        const id = await entityIn("assignment", "in_progress");
        const results = await Promise.allSettled([
          applyTransition(t.db, {
            organizationId: orgId,
            entity: "assignment",
            entityId: id,
            transition: "complete",
          }),
          applyTransition(t.db, {
            organizationId: orgId,
            entity: "assignment",
            entityId: id,
            transition: "cancel",
          }),
        ]);
        const won = results.filter((r) => r.status === "fulfilled");
        const lost = results.filter((r) => r.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: "CONFLICT" });
        const winner = (won[0] as PromiseFulfilledResult<{ state: string }>).value.state;
        expect(await findCurrentState(t.db, orgId, "assignment", id)).toBe(winner);
        const history = await historyOf("assignment", id);
        expect(history.map((h) => h.state)).toEqual([winner]);
      }
    },
  );

  it.runIf(onPostgres)(
    "two compatible transitions both expecting the same state: the stale one gets 409",
    async () => {
      for (let round = 0; round < 10; round++) {
        const id = await entityIn("annotator", "active");
        const results = await Promise.allSettled(
          (["pause", "stop"] as const).map((transition) =>
            applyTransition(t.db, {
              organizationId: orgId,
              entity: "annotator",
              entityId: id,
              transition,
              expectedState: "active",
            }),
          ),
        );
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
        expect(lost.reason).toMatchObject({ code: "CONFLICT" });
        expect(await historyOf("annotator", id)).toHaveLength(1);
      }
    },
  );

  it.runIf(onPostgres)("16 writers of the same transition: one history row, 15 conflicts", async () => {
    const id = await entityIn("workflow", "IN_PROGRESS");
    const results = await Promise.allSettled(
      Array.from({ length: 16 }, () =>
        applyTransition(t.db, {
          organizationId: orgId,
          entity: "workflow",
          entityId: id,
          transition: "pause",
        }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const reasons = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(reasons).toHaveLength(15);
    for (const reason of reasons)
      expect(reason).toMatchObject({ code: "CONFLICT", extra: { current_state: "PAUSED" } });
    expect(await historyOf("workflow", id)).toHaveLength(1);
  });

  it.runIf(onPostgres)("a bulk transition racing single ones never double-applies", async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => entityIn("task", "IN_PROGRESS")));
    const [bulk, ...singles] = await Promise.allSettled([
      applyTransitionMany(t.db, {
        organizationId: orgId,
        entity: "task",
        entityIds: ids,
        transition: "complete",
      }),
      ...ids.map((entityId) =>
        applyTransition(t.db, { organizationId: orgId, entity: "task", entityId, transition: "release" }),
      ),
    ]);
    expect(bulk!.status).toBe("fulfilled");
    const { transitioned, skipped } = (
      bulk as PromiseFulfilledResult<{ transitioned: number[]; skipped: number[] }>
    ).value;
    expect(transitioned.length + skipped.length).toBe(20);
    const releasedCount = singles.filter((r) => r.status === "fulfilled").length;
    expect(releasedCount).toBe(skipped.length);
    for (const id of ids) {
      const history = await historyOf("task", id);
      expect(history).toHaveLength(1);
      expect(await findCurrentState(t.db, orgId, "task", id)).toBe(history[0]!.state);
      expect(history[0]!.previousState).toBe("IN_PROGRESS");
    }
  });
});

it("stores the status of each entity in the column ENTITY_STORAGE names", () => {
  expect(Object.keys(ENTITY_STORAGE).sort()).toEqual([...FSM_ENTITIES].sort());
});
