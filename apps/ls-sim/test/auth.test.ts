import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFromEnv, getEnv } from "../src/config.js";
import { type RunningSimulator, startSimulator } from "../src/index.js";
import { api, startBootstrapped, TOKEN } from "./helpers.js";

describe("auth (contract §1.1, §1.2)", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startBootstrapped();
  });
  afterAll(() => sim.close());

  it("§1.1: accepts Token auth and rejects missing or wrong credentials with DRF messages", async () => {
    expect((await api(sim, "GET", "/api/current-user/whoami")).body.email).toBe("admin@example.com");
    const none = await api(sim, "GET", "/api/projects/", undefined, null);
    expect(none.status).toBe(401);
    expect(none.body.detail).toBe("Authentication credentials were not provided.");
    const wrong = await api(sim, "GET", "/api/projects/", undefined, "Token nope-nope");
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail).toBe("Invalid token.");
  });

  it("§1.1: X-Api-Key carries a legacy token", async () => {
    const res = await fetch(`${sim.url}/api/current-user/whoami`, { headers: { "X-Api-Key": TOKEN } });
    expect(res.status).toBe(200);
  });

  it("§1.2: PAT is created once (409 after), listed truncated, refreshed into a Bearer access token", async () => {
    const created = await api(sim, "POST", "/api/token/");
    expect(created.status).toBe(201);
    const pat = created.body.token as string;
    expect(pat.split(".")).toHaveLength(3);
    expect((await api(sim, "POST", "/api/token/")).status).toBe(409);
    const listed = await api(sim, "GET", "/api/token/");
    expect(listed.body[0].token).toBe(pat.split(".").slice(0, 2).join("."));

    // A PAT used directly as Bearer fails: it is a refresh token.
    expect((await api(sim, "GET", "/api/current-user/whoami", undefined, `Bearer ${pat}`)).status).toBe(401);
    const refreshed = await api(sim, "POST", "/api/token/refresh/", { refresh: pat }, null);
    expect(refreshed.status).toBe(200);
    const me = await api(
      sim,
      "GET",
      "/api/current-user/whoami",
      undefined,
      `Bearer ${refreshed.body.access}`,
    );
    expect(me.status).toBe(200);
    expect((await api(sim, "POST", "/api/token/refresh/", { refresh: "x.y.z" }, null)).status).toBe(401);
  });

  it("§1.2: /api/current-user/token returns `token` (not `detail`) and has no trailing slash", async () => {
    const res = await api(sim, "GET", "/api/current-user/token");
    expect(res.body).toEqual({ token: TOKEN });
    expect((await api(sim, "GET", "/api/current-user/token/")).status).toBe(404);
  });

  it("§1.2: POST /api/jwt/settings answers 200 and disabling legacy tokens gives the phase-out 401", async () => {
    const access = await freshAccess(sim);
    const off = await api(sim, "POST", "/api/jwt/settings", { legacy_api_tokens_enabled: false });
    expect(off.status).toBe(200);
    expect(off.body.legacy_api_tokens_enabled).toBe(false);
    const denied = await api(sim, "GET", "/api/projects/");
    expect(denied.status).toBe(401);
    expect(denied.body.detail).toBe(
      "Authentication token no longer valid: legacy token authentication has been disabled for this organization",
    );
    // The key is still returned by the token endpoint, it is just refused (§1.2); Bearer still works.
    const on = await api(
      sim,
      "POST",
      "/api/jwt/settings",
      { legacy_api_tokens_enabled: true },
      `Bearer ${access}`,
    );
    expect(on.status).toBe(200);
    expect((await api(sim, "GET", "/api/projects/")).status).toBe(200);
  });
});

/** An access token of the admin, creating the PAT when the user has none yet. */
async function freshAccess(sim: RunningSimulator): Promise<string> {
  await api(sim, "POST", "/api/token/");
  const pat = sim.state.pats.find((p) => !p.blacklisted)?.token ?? "";
  return (await api(sim, "POST", "/api/token/refresh/", { refresh: pat }, null)).body.access;
}

describe("bootstrap (contract §1.3)", () => {
  it("a fresh organization has legacy tokens disabled unless enableLegacyApiToken is set", async () => {
    const sim = await startSimulator({ username: "a@example.com", password: "pw", userToken: TOKEN });
    try {
      const res = await api(sim, "GET", "/api/current-user/whoami");
      expect(res.status).toBe(401);
      expect(res.body.detail).toMatch(/legacy token authentication has been disabled/);
    } finally {
      await sim.close();
    }
  });

  it("user token and legacy flag apply only at creation; a restart keeps the stored values", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ls-sim-boot-"));
    const first = await startSimulator({
      dataDir,
      username: "a@example.com",
      password: "pw",
      userToken: "first-token",
      enableLegacyApiToken: true,
    });
    await first.close();
    const second = await startSimulator({
      dataDir,
      username: "a@example.com",
      password: "other",
      userToken: "second-token",
    });
    try {
      expect(
        (await api(second, "GET", "/api/current-user/whoami", undefined, "Token first-token")).status,
      ).toBe(200);
      expect(
        (await api(second, "GET", "/api/current-user/whoami", undefined, "Token second-token")).status,
      ).toBe(401);
    } finally {
      await second.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("rejects a user token of 5 characters or fewer", async () => {
    await expect(
      startSimulator({ username: "a@example.com", password: "pw", userToken: "12345" }),
    ).rejects.toThrow(/longer than 5/);
  });

  it("get_env tries LABEL_STUDIO_, then HEARTEX_, then the bare name; USERNAME needs PASSWORD", () => {
    expect(getEnv({ LABEL_STUDIO_PORT: "1", HEARTEX_PORT: "2", PORT: "3" }, "PORT")).toBe("1");
    expect(getEnv({ HEARTEX_PORT: "2", PORT: "3" }, "PORT")).toBe("2");
    expect(getEnv({ PORT: "3" }, "PORT")).toBe("3");
    expect(configFromEnv({ LABEL_STUDIO_PORT: "tcp://10.0.0.1:8080" }).port).toBe(8080);
    expect(configFromEnv({ LABEL_STUDIO_USERNAME: "a@b.io" }).username).toBeNull();
    const cfg = configFromEnv({
      LABEL_STUDIO_USERNAME: "a@b.io",
      LABEL_STUDIO_PASSWORD: "p",
      LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN: "true",
    });
    expect(cfg.username).toBe("a@b.io");
    expect(cfg.enableLegacyApiToken).toBe(true);
  });
});
