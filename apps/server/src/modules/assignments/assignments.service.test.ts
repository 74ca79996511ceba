import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { assignments, items, jobs } from "../../db/schema/index.js";
import { claimAndAssignSourceItems } from "./claim.repo.js";
import { createClaimHints } from "./claim-hints.js";
import { assignmentFixtures } from "./test-fixtures.js";

let t: TestApp;
let f: ReturnType<typeof assignmentFixtures>;
let orgId: number;
let configId: number;
beforeAll(async () => {
  t = await createTestApp();
  f = assignmentFixtures(t.services);
  orgId = await f.organizationId();
  configId = (await f.labelingConfig(orgId)).id;
});
afterAll(() => t.close());

const service = () => t.services.assignments;

async function setup(
  values: Parameters<ReturnType<typeof assignmentFixtures>["workflow"]>[1],
  count: number,
) {
  const role = await f.role(orgId);
  const workflow = await f.workflow(orgId, { roleId: role.id, labelingConfigId: configId, ...values });
  await f.items(orgId, workflow.id, count);
  return { role, workflow };
}

describe("assign", () => {
  it("claims imagesPerProject items in source order, records the batch, its history and its delivery", async () => {
    const { role, workflow } = await setup({ imagesPerProject: 5 }, 12);
    const annotator = await f.annotator(orgId, { roleId: role.id });
    const assignment = (await service().assign(orgId, workflow.id, annotator.id, { triggeredBy: null }))!;
    expect(assignment).toMatchObject({
      taskCount: 5,
      goldTaskCount: 0,
      status: "pending",
      lsProjectId: null,
    });
    const tasks = await f.tasksOf(assignment.id);
    const all = await f.itemRows(workflow.id);
    expect(tasks.map((x) => x.itemId)).toEqual(all.slice(0, 5).map((i) => i.id));
    const after = await f.itemRows(workflow.id);
    expect(after.map((i) => i.assignedCount)).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(after.slice(0, 5).every((i) => i.state === "IN_PROGRESS")).toBe(true);
    expect(after[5]!.state).toBe("CREATED");
    const history = await f.history("assignment", assignment.id);
    expect(history.map((h) => [h.transitionName, h.state])).toEqual([["create", "pending"]]);
    expect((await f.history("task", all[0]!.id)).map((h) => h.transitionName)).toEqual(["assign"]);
    const queued = await t.db.select().from(jobs).where(eq(jobs.name, "assignment.deliver"));
    expect(queued.some((j) => (j.payload as { assignmentId: number }).assignmentId === assignment.id)).toBe(
      true,
    );
    expect((await f.history("workflow", workflow.id)).map((h) => h.transitionName)).toEqual(["start"]);
  });

  it("never gives an item twice to one annotator, and answers 409 when nothing is left", async () => {
    const { role, workflow } = await setup({ imagesPerProject: 10 }, 15);
    const annotator = await f.annotator(orgId, { roleId: role.id });
    const first = (await service().assign(orgId, workflow.id, annotator.id))!;
    const second = (await service().assign(orgId, workflow.id, annotator.id))!;
    expect(first.taskCount).toBe(10);
    expect(second.taskCount).toBe(5);
    const firstItems = new Set((await f.tasksOf(first.id)).map((x) => x.itemId));
    expect((await f.tasksOf(second.id)).some((x) => firstItems.has(x.itemId))).toBe(false);
    await expect(service().assign(orgId, workflow.id, annotator.id)).rejects.toMatchObject({
      code: "CONFLICT",
      message: "No images available for assignment",
    });
  });

  it("hands each item to annotationsPerItem distinct annotators, never more", async () => {
    const { role, workflow } = await setup({ imagesPerProject: 10, annotationsPerItem: 2 }, 10);
    const [a, b, c] = [
      await f.annotator(orgId, { roleId: role.id }),
      await f.annotator(orgId, { roleId: role.id }),
      await f.annotator(orgId, { roleId: role.id }),
    ];
    expect((await service().assign(orgId, workflow.id, a.id))!.taskCount).toBe(10);
    expect((await service().assign(orgId, workflow.id, b.id))!.taskCount).toBe(10);
    await expect(service().assign(orgId, workflow.id, c.id)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(service().assign(orgId, workflow.id, a.id)).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await f.itemRows(workflow.id)).every((i) => i.assignedCount === 2)).toBe(true);
  });

  it("does not take an item twice when one claim reaches the next level (annotationsPerItem 2)", async () => {
    for (const shuffleImages of [false, true]) {
      const { role, workflow } = await setup(
        { imagesPerProject: 5, annotationsPerItem: 2, shuffleImages },
        3,
      );
      const annotator = await f.annotator(orgId, { roleId: role.id });
      const batch = (await service().assign(orgId, workflow.id, annotator.id))!;
      // Level 0 gave all 3 items; level 1 then sees the same 3 (now held once) and must skip them.
      expect(batch.taskCount).toBe(3);
      expect((await f.itemRows(workflow.id)).map((i) => i.assignedCount)).toEqual([1, 1, 1]);
    }
  });

  it("mixes ceil(n × goldStandardRate) gold items, never the same gold twice to one annotator", async () => {
    const config = await f.labelingConfig(orgId);
    const golds = [
      await f.goldTask(orgId, config.id),
      await f.goldTask(orgId, config.id),
      await f.goldTask(orgId, config.id),
    ];
    const { role, workflow } = await setup(
      { imagesPerProject: 10, goldStandardRate: 0.15, labelingConfigId: config.id },
      40,
    );
    const annotator = await f.annotator(orgId, { roleId: role.id });
    const seenGold = new Set<number>();
    const goldCounts: number[] = [];
    for (let batch = 0; batch < 3; batch++) {
      const assignment = (await service().assign(orgId, workflow.id, annotator.id))!;
      const tasks = await f.tasksOf(assignment.id);
      const gold = tasks.filter((x) => x.isGold);
      goldCounts.push(gold.length);
      expect(assignment.goldTaskCount).toBe(gold.length);
      expect(assignment.taskCount).toBe(tasks.length);
      for (const g of gold) {
        expect(seenGold.has(g.itemId)).toBe(false);
        seenGold.add(g.itemId);
      }
    }
    // ceil(10 × 0.15) = 2 per batch, until the 3 gold tasks are used up.
    expect(goldCounts).toEqual([2, 1, 0]);
    const goldItems = (await f.itemRows(workflow.id)).filter((i) => i.kind === "gold");
    expect(goldItems.map((i) => i.goldTaskId).sort()).toEqual(golds.map((g) => g.id).sort());
    // Gold items are shared: another annotator gets them too.
    const other = await f.annotator(orgId, { roleId: role.id });
    expect((await service().assign(orgId, workflow.id, other.id))!.goldTaskCount).toBe(2);
  });

  it("creates the gold item of a gold task added after earlier claims (gold items are ensured only when missing)", async () => {
    const config = await f.labelingConfig(orgId);
    const first = await f.goldTask(orgId, config.id);
    const { role, workflow } = await setup(
      { imagesPerProject: 10, goldStandardRate: 0.1, labelingConfigId: config.id },
      30,
    );
    const annotator = await f.annotator(orgId, { roleId: role.id });
    const one = (await service().assign(orgId, workflow.id, annotator.id))!;
    expect(one.goldTaskCount).toBe(1);
    const goldIds = async () =>
      (await f.itemRows(workflow.id)).filter((i) => i.kind === "gold").map((i) => i.goldTaskId);
    expect(await goldIds()).toEqual([first.id]);
    // A gold task added later has no gold item yet: the next claim creates it and can hand it out.
    const second = await f.goldTask(orgId, config.id);
    const two = (await service().assign(orgId, workflow.id, annotator.id))!;
    expect((await goldIds()).sort()).toEqual([first.id, second.id].sort());
    const gold = (await f.tasksOf(two.id)).filter((x) => x.isGold);
    expect(gold.map((x) => x.itemId)).toHaveLength(1);
    expect(two.goldTaskCount).toBe(1);
  });

  it("refuses inactive annotators and the wrong role (400), unknown ones and other tenants (404)", async () => {
    const { role, workflow } = await setup({}, 3);
    const stopped = await f.annotator(orgId, { roleId: role.id, status: "stopped" });
    const otherRole = await f.annotator(orgId, { roleId: (await f.role(orgId)).id });
    await expect(service().assign(orgId, workflow.id, stopped.id)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(service().assign(orgId, workflow.id, otherRole.id)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "Annotator is not in the workflow's role",
    });
    await expect(service().assign(orgId, workflow.id, 999_999)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const otherOrg = await f.organizationId("other-org");
    const foreign = await f.annotator(otherOrg);
    await expect(service().assign(orgId, workflow.id, foreign.id)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(service().assign(otherOrg, workflow.id, foreign.id)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    // Nothing was claimed by the refused calls.
    expect((await f.itemRows(workflow.id)).every((i) => i.assignedCount === 0)).toBe(true);
  });

  it("refuses a paused workflow with 409", async () => {
    const { role, workflow } = await setup({ isActive: false }, 3);
    const annotator = await f.annotator(orgId, { roleId: role.id });
    await expect(service().assign(orgId, workflow.id, annotator.id)).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("skips archived and escalated items", async () => {
    const { role, workflow } = await setup({ imagesPerProject: 10 }, 4);
    const rows = await f.itemRows(workflow.id);
    await t.db.update(items).set({ state: "ARCHIVED" }).where(eq(items.id, rows[0]!.id));
    await t.db.update(items).set({ state: "ESCALATED" }).where(eq(items.id, rows[1]!.id));
    const annotator = await f.annotator(orgId, { roleId: role.id });
    const assignment = (await service().assign(orgId, workflow.id, annotator.id))!;
    expect((await f.tasksOf(assignment.id)).map((x) => x.itemId).sort()).toEqual([rows[2]!.id, rows[3]!.id]);
  });
});

describe("source-order scan hints", () => {
  it("start after the last claim's last id, and still hand out items given back below that", async () => {
    const { role, workflow } = await setup({ imagesPerProject: 3, shuffleImages: false }, 9);
    const all = (await f.itemRows(workflow.id)).map((i) => i.id);
    const [a, b, c] = [
      await f.annotator(orgId, { roleId: role.id }),
      await f.annotator(orgId, { roleId: role.id }),
      await f.annotator(orgId, { roleId: role.id }),
    ];
    const first = (await service().assign(orgId, workflow.id, a.id))!;
    const second = (await service().assign(orgId, workflow.id, b.id))!;
    expect((await f.tasksOf(second.id)).map((x) => x.itemId)).toEqual(all.slice(3, 6));
    // The first batch goes back to the pool, below the hint (after the second batch's last id).
    await service().cancel(orgId, first.id, null);
    // The next claim takes the ids above the hint first, then wraps around to the ones given back.
    const third = (await service().assign(orgId, workflow.id, c.id))!;
    expect((await f.tasksOf(third.id)).map((x) => x.itemId)).toEqual(all.slice(6, 9));
    const fourth = (await service().assign(orgId, workflow.id, b.id))!;
    expect((await f.tasksOf(fourth.id)).map((x) => x.itemId).sort((x, y) => x - y)).toEqual(all.slice(0, 3));
  });

  it("expire", async () => {
    let now = 1_000;
    const hints = createClaimHints(100, () => now);
    expect(hints.get(1, 0)).toBe(0);
    hints.set(1, 0, 42);
    expect([hints.get(1, 0), hints.get(1, 1), hints.get(2, 0)]).toEqual([42, 0, 0]);
    now += 101;
    expect(hints.get(1, 0)).toBe(0);
  });

  it("give claims running at the same time different starts, and never fall back below a reservation", () => {
    const hints = createClaimHints();
    expect(hints.take(1, 0, 100)).toBe(0); // no hint yet: from the first id, nothing to reserve
    hints.advance(1, 0, 101);
    expect([hints.take(1, 0, 100), hints.take(1, 0, 100)]).toEqual([101, 201]);
    hints.advance(1, 0, 201); // the first of the two finished: the second's reservation stands
    expect(hints.get(1, 0)).toBe(301);
    hints.advance(1, 0, 350); // the second found gaps and went further
    expect(hints.get(1, 0)).toBe(350);
    hints.set(1, 0, 7); // a claim wrapped around: back to where it ended
    expect(hints.get(1, 0)).toBe(7);
  });
});

describe("shuffled claims", () => {
  it("start at a random id of the level and wrap around", async () => {
    const { role, workflow } = await setup({ shuffleImages: true }, 20);
    const annotator = await f.annotator(orgId, { roleId: role.id });
    const ids = (await f.itemRows(workflow.id)).map((i) => i.id);
    const claimed = await t.db.transaction(async (tx) =>
      (
        await claimAndAssignSourceItems(tx, {
          workflowId: workflow.id,
          annotatorId: annotator.id,
          limit: 8,
          maxHolders: 1,
          shuffle: true,
          random: () => 0.9, // start at index floor(0.9 × 20) = 18
        })
      ).map((item) => item.id),
    );
    expect(claimed).toEqual([ids[18], ids[19], ...ids.slice(0, 6)]);
  });

  it("shuffle the positions of a batch", async () => {
    const { role, workflow } = await setup({ shuffleImages: true, imagesPerProject: 50 }, 50);
    const annotator = await f.annotator(orgId, { roleId: role.id });
    const assignment = (await service().assign(orgId, workflow.id, annotator.id))!;
    const order = (await f.tasksOf(assignment.id)).map((x) => x.itemId);
    expect(new Set(order).size).toBe(50);
    // 50 items left in id order by a shuffle: probability 1/50!.
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
  });
});

describe("cancel", () => {
  it("returns unannotated items to the pool through the FSM and refuses a second cancel with 409", async () => {
    const { role, workflow } = await setup({ imagesPerProject: 4 }, 4);
    const annotator = await f.annotator(orgId, { roleId: role.id });
    const assignment = (await service().assign(orgId, workflow.id, annotator.id))!;
    const tasks = await f.tasksOf(assignment.id);
    // One task was annotated already: it stays counted.
    const { assignmentTasks } = await import("../../db/schema/index.js");
    await t.db.update(assignmentTasks).set({ isDone: true }).where(eq(assignmentTasks.id, tasks[0]!.id));
    await service().cancel(orgId, assignment.id, null);
    expect((await f.assignment(assignment.id)).status).toBe("cancelled");
    const rows = await f.itemRows(workflow.id);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(tasks[0]!.itemId)!.assignedCount).toBe(1);
    for (const task of tasks.slice(1)) {
      expect(byId.get(task.itemId)).toMatchObject({ assignedCount: 0, state: "CREATED" });
      expect((await f.history("task", task.itemId)).map((h) => h.transitionName)).toEqual([
        "assign",
        "release",
      ]);
    }
    await expect(service().cancel(orgId, assignment.id, null)).rejects.toMatchObject({
      code: "CONFLICT",
      extra: { current_state: "cancelled" },
    });
    // The released items go to another annotator; this one never gets them back.
    const other = await f.annotator(orgId, { roleId: role.id });
    expect((await service().assign(orgId, workflow.id, other.id))!.taskCount).toBe(3);
    await expect(service().assign(orgId, workflow.id, annotator.id)).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("is a 404 for another organization's assignment", async () => {
    const { role, workflow } = await setup({}, 2);
    const annotator = await f.annotator(orgId, { roleId: role.id });
    const assignment = (await service().assign(orgId, workflow.id, annotator.id))!;
    const otherOrg = await f.organizationId("other-org");
    await expect(service().cancel(otherOrg, assignment.id, null)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await f.assignment(assignment.id)).status).toBe("pending");
  });
});

describe("autoAssign", () => {
  it("gives one open batch per auto-assign workflow of the annotator's role, within maxProjects", async () => {
    const role = await f.role(orgId);
    const limited = await f.workflow(orgId, {
      roleId: role.id,
      labelingConfigId: configId,
      imagesPerProject: 2,
      maxProjects: 2,
    });
    const manual = await f.workflow(orgId, {
      roleId: role.id,
      labelingConfigId: configId,
      autoAssign: false,
    });
    await f.items(orgId, limited.id, 10);
    await f.items(orgId, manual.id, 10);
    const annotator = await f.annotator(orgId, { roleId: role.id });
    const first = await service().autoAssign(orgId, annotator.id);
    expect(first.map((a) => a.workflowId)).toEqual([limited.id]);
    // An open batch: nothing more until it is done.
    expect(await service().autoAssign(orgId, annotator.id)).toEqual([]);
    await t.db.update(assignments).set({ status: "completed" }).where(eq(assignments.id, first[0]!.id));
    expect((await service().autoAssign(orgId, annotator.id)).length).toBe(1);
    await t.db.update(assignments).set({ status: "completed" }).where(eq(assignments.workflowId, limited.id));
    // maxProjects 2 reached.
    expect(await service().autoAssign(orgId, annotator.id)).toEqual([]);
  });

  it("does nothing for an inactive annotator or one without a role", async () => {
    const noRole = await f.annotator(orgId);
    const stopped = await f.annotator(orgId, { roleId: (await f.role(orgId)).id, status: "stopped" });
    expect(await service().autoAssign(orgId, noRole.id)).toEqual([]);
    expect(await service().autoAssign(orgId, stopped.id)).toEqual([]);
  });

  it("runs as a job", async () => {
    const { role, workflow } = await setup({ imagesPerProject: 3 }, 3);
    const annotator = await f.annotator(orgId, { roleId: role.id });
    await service().enqueueAutoAssign(orgId, annotator.id);
    // The delivery job it queues fails (no instance): let only the auto-assign job run here.
    const job = (await t.services.jobs.queue.claim(["assignment.auto-assign"], 10, "test", 60_000))[0]!;
    await t.services.jobs.catalog.get(job.name)!.handler(job.payload, { jobId: job.id, attempt: 1 });
    const rows = await t.db.select().from(assignments).where(eq(assignments.workflowId, workflow.id));
    expect(rows.map((r) => r.annotatorId)).toEqual([annotator.id]);
  });
});

describe("task rows without foreign keys (migration 0010)", () => {
  it("go with their assignment and with their item, as the cascading keys made them", async () => {
    const { role, workflow } = await setup({ imagesPerProject: 3 }, 6);
    const [a, b] = [
      await f.annotator(orgId, { roleId: role.id }),
      await f.annotator(orgId, { roleId: role.id }),
    ];
    const first = (await service().assign(orgId, workflow.id, a.id))!;
    const second = (await service().assign(orgId, workflow.id, b.id))!;
    expect(await f.tasksOf(first.id)).toHaveLength(3);
    await t.db.delete(assignments).where(eq(assignments.id, first.id));
    expect(await f.tasksOf(first.id)).toEqual([]);

    const held = await f.tasksOf(second.id);
    await t.db.delete(items).where(eq(items.id, held[0]!.itemId));
    expect((await f.tasksOf(second.id)).map((x) => x.itemId)).toEqual(held.slice(1).map((x) => x.itemId));
  });
});
