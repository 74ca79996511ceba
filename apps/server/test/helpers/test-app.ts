import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { seedAdmin } from "../../src/boot.js";
import { loadConfig } from "../../src/config/config.js";
import { createApp } from "../../src/http/app.js";
import { randomToken } from "../../src/lib/crypto.js";
import { createLogger } from "../../src/lib/logger.js";
import type { MemberRole } from "../../src/modules/auth/principal.js";
import { createServices, type Services } from "../../src/services.js";
import { createTestDatabase } from "./database.js";

export const ADMIN = { email: "admin@fleet.local", password: "admin" };

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  cookie?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** The real app in-process on a fresh migrated database, with the first admin seeded. */
export async function createTestApp(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "labelfleet-test-"));
  const config = loadConfig({
    NODE_ENV: "test",
    LABELFLEET_DATA_DIR: dataDir,
    AUTH_SECRET: randomToken(32),
    LOG_LEVEL: "silent",
    ...env,
  });
  const database = await createTestDatabase();
  const services: Services = createServices({
    config,
    database,
    // TEST_LOG_LEVEL=error shows what a failing test's server logged (a 500's cause, say).
    log: createLogger((process.env.TEST_LOG_LEVEL as "silent" | undefined) ?? "silent"),
    secret: config.auth.secret!,
    version: "0.0.0-test",
  });
  await seedAdmin(services);
  const app = createApp(services);

  async function request<T = any>(
    method: string,
    url: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers["content-type"] ??= "application/json";
    if (options.cookie) headers.cookie = options.cookie;
    if (options.token) headers.authorization = `Token ${options.token}`;
    const payload =
      options.body === undefined || typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
    const response = await app.request(url, { method, headers, body: payload as string | undefined });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: body as T, headers: response.headers };
  }

  /** Signs in through the real credentials flow and returns the Cookie header to send. */
  async function login(email = ADMIN.email, password = ADMIN.password): Promise<string> {
    const { body: csrf } = await request("GET", "/api/auth/csrf");
    const form = new URLSearchParams({ email, password, csrfToken: csrf.csrfToken });
    const response = await request("POST", "/api/auth/callback/credentials", {
      body: form.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    if (response.status !== 302)
      throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
    const cookie = response.headers.get("set-cookie")?.split(";")[0];
    if (!cookie) throw new Error("login set no cookie");
    return cookie;
  }

  /** Creates a member of organization `org` with `role` and returns a session cookie for it. */
  async function memberSession(email: string, role: MemberRole, org = "default"): Promise<string> {
    await services.organizations.addMember({ email, password: "password-123", role, organizationSlug: org });
    return login(email, "password-123");
  }

  return {
    app,
    services,
    db: services.db,
    request,
    login,
    memberSession,
    async close() {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
export type TestApp = Awaited<ReturnType<typeof createTestApp>>;
