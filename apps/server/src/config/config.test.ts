import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";
import { renderConfigurationDoc } from "./docs.js";

describe("loadConfig", () => {
  it("applies the embedded defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      database: { url: undefined },
      auth: { adminEmail: "admin@fleet.local", adminPassword: "admin" },
      logLevel: "info",
      isProduction: false,
    });
    expect(config.dataDir).toMatch(/data$/);
  });

  it("names every bad variable in one message", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "not-a-port", LOG_LEVEL: "loud", ADMIN_EMAIL: "nope", AUTH_SECRET: "short" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const variable of ["PORT", "LOG_LEVEL", "ADMIN_EMAIL", "AUTH_SECRET"])
      expect(message).toContain(variable);
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it("refuses the default admin password in production", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/ADMIN_PASSWORD/);
    expect(loadConfig({ NODE_ENV: "production", ADMIN_PASSWORD: "s3cret-enough" }).isProduction).toBe(true);
  });

  it("treats empty strings as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", AUTH_SECRET: "" }).database.url).toBeUndefined();
  });
});

describe("docs/configuration.md", () => {
  it("is the generated rendering of the schema (run npm run docs:config)", () => {
    const doc = readFileSync(new URL("../../../../docs/configuration.md", import.meta.url), "utf8");
    expect(doc).toBe(renderConfigurationDoc());
  });
});
