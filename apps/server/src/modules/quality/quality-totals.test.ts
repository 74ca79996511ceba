import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";

let t: TestApp;
let org: number;
const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;
const run = (query: ReturnType<typeof sql>) => t.db.execute(query);
const EVERYTHING = { from: new Date("2000-01-01T00:00:00Z"), to: new Date("2100-01-01T00:00:00Z") };

beforeAll(async () => {
  t = await createTestApp();
  org = Number(rowsOf<{ id: number }>(await run(sql`select id from organizations limit 1`))[0]!.id);
  await run(sql`insert into annotators (organization_id, name, email)
    select ${org}, 'A' || g, 'a' || g || '@x.io' from generate_series(1, 3) g`);
  await run(
    sql`insert into labeling_configs (organization_id, name, config_xml) values (${org}, 'c', '<View/>')`,
  );
  await run(sql`insert into workflows (organization_id, name, s3_source_path, s3_export_path)
    select ${org}, 'w' || g, 'in/', 'out/' from generate_series(1, 2) g`);
  await run(sql`insert into gold_tasks (organization_id, s3_image_key, expected_labels, labeling_config_id)
    values (${org}, 'g', '[]', (select id from labeling_configs limit 1))`);
  await run(sql`insert into items (organization_id, workflow_id, source_key, storage_key)
    select ${org}, (select min(id) from workflows) + (g % 2), 'k' || g, 'k' || g from generate_series(1, 20) g`);
});
afterAll(() => t.close());

/** The all-time answer (from the trigger-kept totals) and the same over a range (from the rows). */
async function bothWays(workflowId?: number) {
  const totals = await t.services.quality.summary(org, { workflowId });
  const raw = await t.services.quality.summary(org, { workflowId, ...EVERYTHING });
  return { totals: totals.annotatorScores, raw: raw.annotatorScores };
}

describe("quality totals kept by triggers", () => {
  it("agree with the rows through inserts, updates, state changes and deletions", async () => {
    const a = rowsOf<{ id: number }>(await run(sql`select id from annotators order by id`)).map((r) =>
      Number(r.id),
    );
    const w = rowsOf<{ id: number }>(await run(sql`select id from workflows order by id`)).map((r) =>
      Number(r.id),
    );
    // 30 gold results over 3 annotators and 2 workflows, inserted in one statement.
    await run(sql`insert into gold_results (organization_id, gold_task_id, annotator_id, workflow_id, annotation_id, score)
      select ${org}, (select id from gold_tasks limit 1), ${a[0]!} + (g % 3), ${w[0]!} + (g % 2), g, (g % 5) / 4.0
      from generate_series(1, 30) g`);
    // 40 annotations, a quarter of them already reviewed.
    await run(sql`insert into annotations (organization_id, item_id, annotator_id, ls_annotation_id, result, state)
      select ${org}, (select min(id) from items) + (g % 20), ${a[0]!} + (g % 3), g, '[]',
        case when g % 4 = 0 then 'ACCEPTED' else 'CREATED' end
      from generate_series(1, 40) g`);
    let both = await bothWays();
    expect(both.totals).toEqual(both.raw);
    expect(both.totals.reduce((n, s) => n + s.evaluationCount, 0)).toBe(30);
    expect(both.totals.reduce((n, s) => n + s.reviewedCount, 0)).toBe(10);

    await run(sql`update gold_results set score = 1 - score where annotation_id % 3 = 0`); // re-scores
    await run(sql`update annotations set state = 'REJECTED' where ls_annotation_id % 5 = 0`); // reviews
    await run(sql`update annotations set state = 'DELETED' where ls_annotation_id % 8 = 0`); // un-reviews
    await run(sql`update annotations set result = '[1]' where ls_annotation_id < 10`); // no state change
    await run(sql`delete from gold_results where annotation_id % 7 = 0`);
    await run(sql`delete from annotations where ls_annotation_id % 9 = 0`);
    both = await bothWays();
    expect(both.totals).toEqual(both.raw);
    for (const workflowId of w) {
      const per = await bothWays(workflowId);
      expect(per.totals).toEqual(per.raw);
      expect(per.totals.length).toBeGreaterThan(0);
    }
    const [check] = rowsOf<{ n: string | number; reviewed: string | number }>(
      await run(sql`select sum(evaluations) as n, sum(reviewed) as reviewed from annotator_quality_totals`),
    );
    const [truth] = rowsOf<{ n: string | number; reviewed: string | number }>(
      await run(sql`select (select count(*) from gold_results) as n,
        (select count(*) from annotations where state in ('ACCEPTED', 'REJECTED')) as reviewed`),
    );
    expect([Number(check!.n), Number(check!.reviewed)]).toEqual([Number(truth!.n), Number(truth!.reviewed)]);
  });

  it("lets a workflow be deleted with its totals", async () => {
    const [w] = rowsOf<{ id: number }>(await run(sql`select max(id) as id from workflows`));
    await run(sql`delete from gold_results where workflow_id = ${w!.id}`);
    await run(sql`delete from workflows where id = ${w!.id}`);
    const left = rowsOf<{ n: string | number }>(
      await run(sql`select count(*) as n from annotator_quality_totals where workflow_id = ${w!.id}`),
    );
    expect(Number(left[0]!.n)).toBe(0);
  });
});
