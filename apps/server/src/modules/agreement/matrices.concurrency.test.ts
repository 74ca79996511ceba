import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres } from "../../../test/helpers/database.js";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { annotations } from "../../db/schema/index.js";
import { agreementFixtures, choice } from "./agreement-fixtures.js";

let t: TestApp;
let f: ReturnType<typeof agreementFixtures>;
beforeAll(async () => {
  t = await createTestApp();
  f = agreementFixtures(t, await t.login());
});
afterAll(() => t.close());

describe("matrix recomputes under concurrency (PostgreSQL)", () => {
  it.runIf(onPostgres)(
    "serialise per item, run beside a workflow fill, and end on the latest data",
    async () => {
      const org = await f.organizationId();
      const wf = await f.workflow();
      const ids = await f.items(org, wf.id, 40);
      const people = [await f.annotator(org), await f.annotator(org)];
      const first: number[] = [];
      for (const item of ids) {
        first.push(await f.annotate(org, item, people[0]!.id, [choice("cat")], { silent: true }));
        await f.annotate(org, item, people[1]!.id, [choice("cat")], { silent: true });
      }
      const { matrices } = t.services.agreement;
      const target = ids[0]!;
      // Sixteen recomputes of one item, a changed answer in the middle, and a workflow fill beside them.
      const racing = Array.from({ length: 16 }, async (_, k) => {
        if (k === 8)
          await t.db
            .update(annotations)
            .set({ result: [choice("dog")] })
            .where(eq(annotations.id, first[0]!));
        return matrices.recomputeItem(org, target);
      });
      await Promise.all([...racing, matrices.recomputeWorkflow(org, wf.id)]);
      await matrices.recomputeItem(org, target);
      for (const item of ids) {
        const rows = await f.matrixRows(item);
        expect(rows.map((r) => r.dimension).filter((d) => d === "")).toHaveLength(1);
        expect(rows).toHaveLength(3);
      }
      // Each recompute reads under the item's lock, so the last one to run saw the changed answer.
      const overall = (await f.matrixRows(target)).find((r) => r.dimension === "")!;
      expect(overall.matrix[0]![1]).toBe(0);
    },
  );
});
