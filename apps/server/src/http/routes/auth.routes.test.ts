import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, createTestApp, type TestApp } from "../../../test/helpers/test-app.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ LOGIN_MAX_ATTEMPTS: "3", TRUST_PROXY: "true" });
});
afterAll(() => t.close());

async function attempt(email: string, password: string, address: string) {
  const { body: csrf } = await t.request("GET", "/api/auth/csrf");
  return t.request("POST", "/api/auth/callback/credentials", {
    body: { email, password, csrfToken: csrf.csrfToken },
    headers: { "x-forwarded-for": address },
  });
}

describe("sign-in (spec: authenticate programmatically)", () => {
  it("signs in with the csrf token and the form fields, then the cookie opens the API", async () => {
    expect((await t.request("GET", "/api/roles")).status).toBe(401);
    const cookie = await t.login();
    expect(cookie).toMatch(/^authjs\.session-token=/);
    const roles = await t.request("GET", "/api/roles", { cookie });
    expect(roles.status).toBe(200);
    expect(roles.body).toEqual([]);
    const session = await t.request("GET", "/api/auth/session", { cookie });
    expect(session.body.user.email).toBe(ADMIN.email);
    expect(session.body.organization).toMatchObject({ slug: "default", role: "owner" });
  });

  it("answers JSON with X-Auth-Return-Redirect: 1", async () => {
    const { body: csrf } = await t.request("GET", "/api/auth/csrf");
    const response = await t.request("POST", "/api/auth/callback/credentials", {
      body: { ...ADMIN, csrfToken: csrf.csrfToken, callbackUrl: "https://evil.example/" },
      headers: { "x-auth-return-redirect": "1" },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ url: "/" });
  });

  it("refuses a missing or forged csrf token", async () => {
    for (const csrfToken of [undefined, "forged.9999999999999.mac"]) {
      const response = await t.request("POST", "/api/auth/callback/credentials", {
        body: { ...ADMIN, csrfToken },
      });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatch(/csrfToken/);
    }
  });

  it("refuses a wrong password with 401 and rate-limits the account", async () => {
    await t.services.organizations.addMember({
      email: "victim@example.com",
      password: "right-password",
      role: "admin",
      organizationSlug: "default",
    });
    // Each attempt from another address: the account limit alone must stop them.
    for (let i = 0; i < 3; i++)
      expect((await attempt("victim@example.com", "wrong", `10.0.0.${i}`)).status).toBe(401);
    const blocked = await attempt("victim@example.com", "right-password", "10.0.1.1");
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toMatch(/Too many/);
  });

  it("rate-limits an address that tries many accounts", async () => {
    for (let i = 0; i < 3; i++)
      expect((await attempt(`nobody${i}@example.com`, "x", "10.9.9.9")).status).toBe(401);
    expect((await attempt(ADMIN.email, ADMIN.password, "10.9.9.9")).status).toBe(429);
    expect((await attempt(ADMIN.email, ADMIN.password, "10.9.9.10")).status).toBe(200);
  });

  it("rejects a tampered session cookie", async () => {
    const cookie = await t.login();
    const tampered = `${cookie.slice(0, -3)}abc`;
    expect((await t.request("GET", "/api/roles", { cookie: tampered })).status).toBe(401);
  });
});

describe("sign-out and password change revoke old sessions", () => {
  it("sign-out revokes every session of the member", async () => {
    const first = await t.memberSession("signout@example.com", "admin");
    const second = await t.login("signout@example.com", "password-123");
    expect((await t.request("POST", "/api/auth/signout", { cookie: first })).status).toBe(200);
    expect((await t.request("GET", "/api/roles", { cookie: first })).status).toBe(401);
    expect((await t.request("GET", "/api/roles", { cookie: second })).status).toBe(401);
  });

  it("password change revokes the old cookie and issues a new one", async () => {
    const old = await t.memberSession("pw@example.com", "admin");
    const wrong = await t.request("POST", "/api/auth/password", {
      cookie: old,
      body: { currentPassword: "nope", newPassword: "new-password-1" },
    });
    expect(wrong.status).toBe(400);
    const changed = await t.request("POST", "/api/auth/password", {
      cookie: old,
      body: { currentPassword: "password-123", newPassword: "new-password-1" },
    });
    expect(changed.status).toBe(200);
    const fresh = changed.headers.get("set-cookie")!.split(";")[0]!;
    expect((await t.request("GET", "/api/roles", { cookie: old })).status).toBe(401);
    expect((await t.request("GET", "/api/roles", { cookie: fresh })).status).toBe(200);
    await expect(t.login("pw@example.com", "password-123")).rejects.toThrow(/401/);
    await t.login("pw@example.com", "new-password-1");
  });
});

describe("API tokens", () => {
  it("creates a token shown once, authenticates with Token and Bearer, and revokes it", async () => {
    const cookie = await t.login();
    const created = await t.request("POST", "/api/tokens", { cookie, body: { name: "ci" } });
    expect(created.status).toBe(201);
    const key: string = created.body.token;
    expect(key).toMatch(/^lf_/);
    const list = await t.request("GET", "/api/tokens", { cookie });
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect((await t.request("GET", "/api/roles", { token: key })).status).toBe(200);
    const bearer = await t.request("GET", "/api/roles", { headers: { authorization: `Bearer ${key}` } });
    expect(bearer.status).toBe(200);
    expect((await t.request("DELETE", `/api/tokens/${created.body.id}`, { cookie })).status).toBe(200);
    expect((await t.request("GET", "/api/roles", { token: key })).status).toBe(401);
  });

  it("never grants a token a higher role than its creator", async () => {
    const cookie = await t.memberSession("manager@example.com", "manager");
    const response = await t.request("POST", "/api/tokens", { cookie, body: { name: "x", role: "owner" } });
    expect(response.status).toBe(403);
  });
});

describe("member roles", () => {
  it("lets viewers read and refuses their writes with 403", async () => {
    const viewer = await t.memberSession("viewer@example.com", "viewer");
    expect((await t.request("GET", "/api/roles", { cookie: viewer })).status).toBe(200);
    const write = await t.request("POST", "/api/roles", { cookie: viewer, body: { name: "x" } });
    expect(write.status).toBe(403);
    expect(write.body).toEqual({ error: "Viewers have read-only access" });
  });
});

describe("public endpoints", () => {
  it("serves health, version and the OpenAPI document without a session", async () => {
    expect((await t.request("GET", "/api/health")).body).toEqual({ status: "ok", database: "connected" });
    const version = await t.request("GET", "/api/version");
    expect(version.body).toMatchObject({ apiVersion: "v1", node: process.version });
    expect((await t.request("GET", "/api/openapi.json")).status).toBe(200);
  });

  it("answers unknown API routes with a JSON 404", async () => {
    const cookie = await t.login();
    const response = await t.request("GET", "/api/nope", { cookie });
    expect(response.status).toBe(404);
    expect(response.body.error).toMatch(/No route/);
  });
});
