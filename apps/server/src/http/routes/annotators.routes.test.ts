import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { annotators, containerEvents, fsmStateHistory } from "../../db/schema/index.js";

let t: TestApp;
let cookie: string;
let otherOrg: string;
let roleId: number;
beforeAll(async () => {
  t = await createTestApp();
  cookie = await t.login();
  otherOrg = await t.memberSession("owner-b@example.com", "owner", "org-b");
  roleId = (await t.request("POST", "/api/roles", { cookie, body: { name: "labeler", color: "#3B82F6" } }))
    .body.id;
});
afterAll(() => t.close());

const create = (body: unknown, as = cookie) => t.request("POST", "/api/annotators", { cookie: as, body });

describe("/api/annotators records", () => {
  it("runs the spec's example step 4 verbatim and answers the spec's annotator object", async () => {
    const created = await create({ name: "Alice", email: "alice@example.com", roleId });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(Number),
      name: "Alice",
      email: "alice@example.com",
      roleId,
      status: "created",
      containerId: null,
      subdomain: "alice",
      databaseName: `ls_annotator_${created.body.id}`,
      lsUserId: null,
      notes: null,
      rejectionCount: 0,
      reviewedCount: 0,
      role: { id: roleId, name: "labeler", color: "#3B82F6" },
    });
    // The generated LS token is masked; the stored value is sealed, not the token itself.
    expect(created.body.apiToken).toMatch(/^[0-9a-f]{4}…\*{8}$/);
    const [row] = await t.db.select().from(annotators).where(eq(annotators.id, created.body.id));
    expect(row?.apiTokenEnc).toMatch(/^v1\./);
    const token = t.services.secrets.open(row!.apiTokenEnc!);
    expect(token).toMatch(/^[0-9a-f]{40}$/);
    expect(JSON.stringify(created.body)).not.toContain(token);
    expect(JSON.stringify(created.body)).not.toContain(t.services.secrets.open(row!.webhookSecretEnc!));

    const detail = await t.request("GET", `/api/annotators/${created.body.id}`, { cookie });
    expect(detail.body).toMatchObject({ ...created.body, updatedAt: expect.any(String), assignments: [] });

    const history = await t.db
      .select()
      .from(fsmStateHistory)
      .where(
        and(
          eq(fsmStateHistory.entityName, "annotator"),
          eq(fsmStateHistory.entityId, String(created.body.id)),
        ),
      );
    expect(history).toMatchObject([{ transitionName: "create", state: "created", previousState: null }]);
    const events = await t.db
      .select()
      .from(containerEvents)
      .where(eq(containerEvents.annotatorId, created.body.id));
    expect(events.map((e) => e.eventType)).toEqual(["created"]);
  });

  it("derives unique, DNS-safe subdomains", async () => {
    const names = ["Alice", "Zoë Ünal", "  ", "www"];
    const subdomains = [];
    for (const [i, name] of names.entries()) {
      const r = await create({ name: name.trim() || "x", email: `sub${i}@example.com` });
      subdomains.push(r.body.subdomain);
    }
    expect(subdomains).toEqual(["alice-2", "zoe-unal", "x", "www-annotator"]);
  });

  it.each([
    ["missing name", { email: "a@b.co" }, "name"],
    ["empty name", { name: " ", email: "a@b.co" }, "name"],
    ["name over 255", { name: "x".repeat(256), email: "a@b.co" }, "name"],
    ["invalid email", { name: "A", email: "not-an-email" }, "email"],
    ["notes over 2000", { name: "A", email: "a@b.co", notes: "x".repeat(2001) }, "notes"],
    ["roleId not an integer", { name: "A", email: "a@b.co", roleId: "one" }, "roleId"],
  ])("refuses %s with 400 and details", async (_, body, field) => {
    const response = await create(body);
    expect(response.status).toBe(400);
    expect(response.body.details.some((d: { path: string[] }) => d.path[0] === field)).toBe(true);
  });

  it("answers 400 for a role of no/another organization, 409 for a duplicate email (any case)", async () => {
    expect((await create({ name: "R", email: "r@example.com", roleId: 999_999 })).status).toBe(400);
    const foreignRole = await t.request("POST", "/api/roles", { cookie: otherOrg, body: { name: "b-role" } });
    expect((await create({ name: "R", email: "r@example.com", roleId: foreignRole.body.id })).status).toBe(
      400,
    );
    await create({ name: "Bob", email: "bob@example.com" });
    const duplicate = await create({ name: "Bobby", email: "BOB@example.com" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatch(/Email already exists/);
    // Another organization may use the same address.
    expect((await create({ name: "Bob", email: "bob@example.com" }, otherOrg)).status).toBe(201);
  });

  it("updates fields (not the subdomain), checks role and email, requires a field", async () => {
    const a = (await create({ name: "Carol", email: "carol@example.com" })).body;
    const updated = await t.request("PUT", `/api/annotators/${a.id}`, {
      cookie,
      body: { name: "Carol B", notes: "night shift", roleId },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: "Carol B", notes: "night shift", roleId, subdomain: "carol" });
    expect((await t.request("PUT", `/api/annotators/${a.id}`, { cookie, body: {} })).status).toBe(400);
    expect(
      (await t.request("PUT", `/api/annotators/${a.id}`, { cookie, body: { roleId: 424242 } })).status,
    ).toBe(400);
    const taken = await t.request("PUT", `/api/annotators/${a.id}`, {
      cookie,
      body: { email: "alice@example.com" },
    });
    expect(taken.status).toBe(409);
    const sameCase = await t.request("PUT", `/api/annotators/${a.id}`, {
      cookie,
      body: { email: "CAROL@example.com" },
    });
    expect(sameCase.status).toBe(200);
  });

  it("404s unknown annotators and another organization's, on every route", async () => {
    const mine = (await create({ name: "Dan", email: "dan@example.com" })).body.id;
    for (const [method, suffix, body] of [
      ["GET", "", undefined],
      ["PUT", "", { name: "x" }],
      ["DELETE", "", undefined],
      ["POST", "/start", undefined],
      ["POST", "/stop", undefined],
      ["GET", "/status", undefined],
    ] as const) {
      expect((await t.request(method, `/api/annotators/999999${suffix}`, { cookie, body })).status).toBe(404);
      expect(
        (await t.request(method, `/api/annotators/${mine}${suffix}`, { cookie: otherOrg, body })).status,
      ).toBe(404);
    }
    expect((await t.request("GET", "/api/annotators/abc", { cookie })).status).toBe(400);
  });

  it("lists the organization's live annotators: bare array or envelope, X-Total-Count, filters", async () => {
    const bare = await t.request("GET", "/api/annotators", { cookie });
    expect(Array.isArray(bare.body)).toBe(true);
    expect(Number(bare.headers.get("x-total-count"))).toBe(bare.body.length);
    const page = await t.request("GET", "/api/annotators?limit=2&offset=1", { cookie });
    expect(page.body.data).toEqual(bare.body.slice(1, 3));
    expect(page.body.pagination).toMatchObject({
      total: bare.body.length,
      limit: 2,
      offset: 1,
      hasMore: true,
    });
    const byRole = await t.request("GET", `/api/annotators?roleId=${roleId}`, { cookie });
    expect(byRole.body.length).toBeGreaterThan(0);
    expect(byRole.body.every((a: { roleId: number }) => a.roleId === roleId)).toBe(true);
    const theirs = await t.request("GET", "/api/annotators", { cookie: otherOrg });
    expect(theirs.body.map((a: { email: string }) => a.email)).toEqual(["bob@example.com"]);
    expect((await t.request("GET", "/api/annotators?limit=501", { cookie })).status).toBe(400);
  });
});

describe("bulk operations", () => {
  const batch = (n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => ({
      name: `${prefix} ${i}`,
      email: `${prefix}-${i}@example.com`,
      roleId,
    }));

  it("creates up to 100 at once and refuses 101 with 400", async () => {
    const created = await t.request("POST", "/api/annotators/bulk", {
      cookie,
      body: { annotators: batch(100, "bulk") },
    });
    expect(created.status).toBe(201);
    expect(created.body.created).toBe(100);
    expect(created.body.annotators).toHaveLength(100);
    expect(new Set(created.body.annotators.map((a: { subdomain: string }) => a.subdomain)).size).toBe(100);
    const over = await t.request("POST", "/api/annotators/bulk", {
      cookie,
      body: { annotators: batch(101, "over") },
    });
    expect(over.status).toBe(400);
    expect(
      (await t.request("POST", "/api/annotators/bulk", { cookie, body: { annotators: [] } })).status,
    ).toBe(400);
  });

  it("is all or nothing: 409 on a duplicate in the batch or against existing, nothing created", async () => {
    const before = Number(
      (await t.request("GET", "/api/annotators", { cookie })).headers.get("x-total-count"),
    );
    const inBatch = await t.request("POST", "/api/annotators/bulk", {
      cookie,
      body: { annotators: [...batch(2, "dup"), { name: "again", email: "DUP-0@example.com" }] },
    });
    expect(inBatch.status).toBe(409);
    expect(inBatch.body.error).toMatch(/Duplicate email address in batch/);
    const existing = await t.request("POST", "/api/annotators/bulk", {
      cookie,
      body: { annotators: [...batch(2, "fresh"), { name: "A", email: "alice@example.com" }] },
    });
    expect(existing.status).toBe(409);
    const badRole = await t.request("POST", "/api/annotators/bulk", {
      cookie,
      body: { annotators: [{ name: "A", email: "newcomer@example.com", roleId: 987_654 }] },
    });
    expect(badRole.status).toBe(400);
    const after = Number(
      (await t.request("GET", "/api/annotators", { cookie })).headers.get("x-total-count"),
    );
    expect(after).toBe(before);
  });

  it("deletes up to 100 (status deleted, hidden, email reusable); 404 if any id is not ours; 400 over 100", async () => {
    const made = (
      await t.request("POST", "/api/annotators/bulk", { cookie, body: { annotators: batch(3, "gone") } })
    ).body.annotators as { id: number }[];
    const ids = made.map((a) => a.id);
    const foreign = (await create({ name: "F", email: "f@example.com" }, otherOrg)).body.id;
    expect(
      (await t.request("DELETE", "/api/annotators/bulk", { cookie, body: { ids: [...ids, foreign] } }))
        .status,
    ).toBe(404);
    const tooMany = Array.from({ length: 101 }, (_, i) => i + 1);
    expect(
      (await t.request("DELETE", "/api/annotators/bulk", { cookie, body: { ids: tooMany } })).status,
    ).toBe(400);
    const deleted = await t.request("DELETE", "/api/annotators/bulk", { cookie, body: { ids } });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ deleted: 3 });
    expect((await t.request("GET", `/api/annotators/${ids[0]}`, { cookie })).status).toBe(404);
    const listed = await t.request("GET", "/api/annotators?status=deleted", { cookie });
    expect(listed.body.map((a: { id: number }) => a.id)).toEqual(expect.arrayContaining(ids));
    const rows = await t.db.select().from(annotators).where(eq(annotators.id, ids[0]!));
    expect(rows[0]?.status).toBe("deleted");
    expect((await create({ name: "Back", email: "gone-0@example.com" })).status).toBe(201);
    await t.services.jobs.worker.drain();
    const events = await t.db.select().from(containerEvents).where(eq(containerEvents.annotatorId, ids[0]!));
    expect(events.map((e) => e.eventType)).toEqual(["created", "deleted", "instance_removed"]);
  });
});

describe("POST /api/annotators/:id/token (instance callback)", () => {
  it("stores the token for the right secret (200), refuses a wrong or missing one (401), needs no session", async () => {
    const a = (await create({ name: "Token", email: "token@example.com" })).body;
    const [row] = await t.db.select().from(annotators).where(eq(annotators.id, a.id));
    const secret = t.services.secrets.open(row!.webhookSecretEnc!);
    const path = `/api/annotators/${a.id}/token`;
    const good = await t.request("POST", path, {
      body: { token: "ls-token-from-entrypoint" },
      headers: { "x-webhook-secret": secret },
    });
    expect(good.status).toBe(200);
    expect(good.body).toEqual({ success: true });
    const [after] = await t.db.select().from(annotators).where(eq(annotators.id, a.id));
    expect(t.services.secrets.open(after!.apiTokenEnc!)).toBe("ls-token-from-entrypoint");
    expect((await t.request("GET", `/api/annotators/${a.id}`, { cookie })).body.apiToken).toBe(
      "ls-t…********",
    );

    for (const headers of [
      { "x-webhook-secret": `${secret}x` },
      { "x-webhook-secret": secret.slice(0, -1) },
      { "x-webhook-secret": "" },
      {},
    ] as Record<string, string>[]) {
      const bad = await t.request("POST", path, { body: { token: "evil" }, headers });
      expect(bad.status).toBe(401);
    }
    // Unknown ids fail exactly like bad secrets (no enumeration).
    const unknown = await t.request("POST", "/api/annotators/999999/token", {
      body: { token: "x" },
      headers: { "x-webhook-secret": secret },
    });
    expect(unknown.status).toBe(401);
    expect(
      (await t.request("POST", path, { body: {}, headers: { "x-webhook-secret": secret } })).status,
    ).toBe(400);
    const [unchanged] = await t.db.select().from(annotators).where(eq(annotators.id, a.id));
    expect(t.services.secrets.open(unchanged!.apiTokenEnc!)).toBe("ls-token-from-entrypoint");
  });
});
