import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres } from "../../../test/helpers/database.js";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { assignmentFixtures } from "./test-fixtures.js";

let t: TestApp;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
});
afterAll(() => t.close());

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

// Concurrency guarantees are a PostgreSQL matter (PGlite runs one statement at a time).
describe("concurrent claims", () => {
  it.runIf(onPostgres)(
    "50 parallel assigns for 20 annotators over 1,000 items with annotationsPerItem 2: no item above 2, none twice to one annotator, totals add up",
    async () => {
      const f = assignmentFixtures(t.services);
      const orgId = await f.organizationId();
      const role = await f.role(orgId);
      const config = await f.labelingConfig(orgId);
      for (let g = 0; g < 5; g++) await f.goldTask(orgId, config.id);
      const workflow = await f.workflow(orgId, {
        roleId: role.id,
        labelingConfigId: config.id,
        imagesPerProject: 50,
        annotationsPerItem: 2,
        goldStandardRate: 0.1,
        shuffleImages: true,
      });
      await f.items(orgId, workflow.id, 1000);
      const annotators: { id: number }[] = [];
      for (let i = 0; i < 20; i++) annotators.push(await f.annotator(orgId, { roleId: role.id }));

      const assign = (annotatorId: number) =>
        t.request("POST", `/api/workflows/${workflow.id}/assign`, { cookie, body: { annotatorId } });
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => assign(annotators[i % 20]!.id)),
      );
      expect(responses.every((r) => r.status === 200 || r.status === 409)).toBe(true);
      const created = responses.filter((r) => r.status === 200).map((r) => r.body.assignment);
      // 50 × 50 asked for, 2,000 available: at least 40 batches were served.
      expect(created.length).toBeGreaterThanOrEqual(40);

      // Mop up what SKIP LOCKED may have left to later claimers: the totals must reach capacity exactly.
      for (let round = 0; round < 3; round++) {
        for (const annotator of annotators) {
          const r = await assign(annotator.id);
          if (r.status === 200) created.push(r.body.assignment);
          else expect(r.status).toBe(409);
        }
      }

      const [counts] = rowsOf<{ max: number; sum: string; over: string }>(
        await t.db.execute(sql`select max(assigned_count) as max, sum(assigned_count) as sum,
          count(*) filter (where assigned_count > 2) as over
          from items where workflow_id = ${workflow.id} and kind = 'source'`),
      );
      expect(Number(counts!.max)).toBe(2);
      expect(Number(counts!.over)).toBe(0);
      expect(Number(counts!.sum)).toBe(2000);

      const [tasks] = rowsOf<{ regular: string; gold: string; pairs: string }>(
        await t.db.execute(sql`select count(*) filter (where not t.is_gold) as regular,
          count(*) filter (where t.is_gold) as gold,
          count(distinct (t.item_id, t.annotator_id)) as pairs
          from assignment_tasks t join assignments a on a.id = t.assignment_id
          where a.workflow_id = ${workflow.id}`),
      );
      const regular = created.reduce((n, a) => n + a.taskCount - a.goldTaskCount, 0);
      const gold = created.reduce((n, a) => n + a.goldTaskCount, 0);
      expect(Number(tasks!.regular)).toBe(2000);
      expect(regular).toBe(2000);
      expect(Number(tasks!.gold)).toBe(gold);
      // Distinct (item, annotator) pairs = all task rows: nothing twice to one annotator, gold included.
      expect(Number(tasks!.pairs)).toBe(2000 + gold);
      // Gold: 5 gold tasks, so no annotator holds more than 5 gold items.
      const [goldMax] = rowsOf<{ max: number | null }>(
        await t.db.execute(sql`select max(n) as max from (select count(*) as n from assignment_tasks t
          join assignments a on a.id = t.assignment_id
          where a.workflow_id = ${workflow.id} and t.is_gold group by t.annotator_id) per`),
      );
      expect(Number(goldMax!.max)).toBeLessThanOrEqual(5);
    },
    120_000,
  );
});
