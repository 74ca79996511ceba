import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres } from "../../../test/helpers/database.js";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { annotators, jobs } from "../../db/schema/index.js";
import { JOB_START } from "./lifecycle.service.js";

// Races need real concurrent connections: PostgreSQL only (PGlite serialises everything).
let t: TestApp;
let cookie: string;
beforeAll(async () => {
  if (!onPostgres) return;
  t = await createTestApp();
  cookie = await t.login();
});
afterAll(async () => {
  if (!onPostgres) return;
  await t.services.fleet.backend.close();
  await t.close();
});

describe.runIf(onPostgres)("annotators under concurrency", () => {
  it("of 8 simultaneous starts exactly one is accepted and one start job is queued", async () => {
    const id = (
      await t.request("POST", "/api/annotators", {
        cookie,
        body: { name: "Race", email: "race@example.com" },
      })
    ).body.id as number;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => t.request("POST", `/api/annotators/${id}/start`, { cookie })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400, 400, 400, 400, 400, 400]);
    const queued = await t.db
      .select()
      .from(jobs)
      .where(eq(jobs.singletonKey, `${JOB_START}:${id}`));
    expect(queued).toHaveLength(1);
    const [row] = await t.db.select().from(annotators).where(eq(annotators.id, id));
    expect(row?.status).toBe("starting");
  });

  it("simultaneous creates: one e-mail is created once, one name gets distinct subdomains", async () => {
    const sameEmail = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.request("POST", "/api/annotators", {
          cookie,
          body: { name: `Twin ${i}`, email: "twin@example.com" },
        }),
      ),
    );
    expect(sameEmail.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);

    const sameName = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.request("POST", "/api/annotators", {
          cookie,
          body: { name: "Kim", email: `kim-${i}@example.com` },
        }),
      ),
    );
    expect(sameName.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201]);
    const subdomains = sameName.map((a) => a.body.subdomain as string);
    expect(new Set(subdomains).size).toBe(6);
    expect(subdomains.every((s) => /^kim(-\d+)?$/.test(s))).toBe(true);
  });
});
