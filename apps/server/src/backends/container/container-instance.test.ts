import { describe, expect, it } from "vitest";
import { makeInstanceSpec } from "../../../test/fakes/instance-spec.js";
import { loadConfig } from "../../config/config.js";
import {
  buildLabelStudioEnv,
  databaseNameOf,
  deriveInstanceSecret,
  envList,
  instanceLabels,
  instanceOrigin,
} from "./container-instance.js";

const spec = makeInstanceSpec({ annotatorId: 42, subdomain: "alice", lsUsername: "alice@fleet.test" });
const database = {
  host: "db.internal",
  port: 5433,
  name: "ls_annotator_42",
  user: "ls_annotator_42",
  password: "pw",
};

describe("buildLabelStudioEnv (contract §1.3, §2.1)", () => {
  it.each([
    { env: {}, origin: "http://alice.localhost", secure: "0" },
    { env: { FLEET_DOMAIN: "fleet.example.com" }, origin: "http://alice.fleet.example.com", secure: "0" },
    {
      env: { FLEET_DOMAIN: "fleet.example.com", FLEET_URL_SCHEME: "https" },
      origin: "https://alice.fleet.example.com",
      secure: "1",
    },
  ])("origin $origin", ({ env, origin, secure }) => {
    const fleet = loadConfig(env);
    const result = buildLabelStudioEnv(spec, fleet, null);
    expect(instanceOrigin(spec, fleet)).toBe(origin);
    expect(result).toMatchObject({
      LABEL_STUDIO_USERNAME: "alice@fleet.test",
      LABEL_STUDIO_PASSWORD: spec.lsPassword,
      LABEL_STUDIO_USER_TOKEN: spec.lsToken,
      LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN: "true",
      LABEL_STUDIO_HOST: origin,
      CSRF_TRUSTED_ORIGINS: origin,
      SESSION_COOKIE_SECURE: secure,
      CSRF_COOKIE_SECURE: secure,
      SECRET_KEY: deriveInstanceSecret(spec, "ls-secret-key"),
    });
    // SQLite in the data volume without a database; LS reads bare PORT/HOST too, so never set them.
    for (const key of ["DJANGO_DB", "POSTGRE_NAME", "PORT", "HOST"]) expect(result).not.toHaveProperty(key);
  });

  it("points LS at the annotator's PostgreSQL database with the POSTGRE_ spelling", () => {
    const result = buildLabelStudioEnv(spec, loadConfig({}), database);
    expect(result).toMatchObject({
      DJANGO_DB: "default",
      POSTGRE_NAME: "ls_annotator_42",
      POSTGRE_USER: "ls_annotator_42",
      POSTGRE_PASSWORD: "pw",
      POSTGRE_HOST: "db.internal",
      POSTGRE_PORT: "5433",
    });
  });

  it("derives a stable SECRET_KEY that differs per annotator and per purpose", () => {
    const other = makeInstanceSpec({ annotatorId: 43 });
    expect(deriveInstanceSecret(spec, "ls-secret-key")).toBe(
      deriveInstanceSecret({ ...spec }, "ls-secret-key"),
    );
    expect(deriveInstanceSecret(spec, "ls-secret-key")).not.toBe(
      deriveInstanceSecret(other, "ls-secret-key"),
    );
    expect(deriveInstanceSecret(spec, "ls-secret-key")).not.toBe(deriveInstanceSecret(spec, "ls-database:x"));
    expect(deriveInstanceSecret(spec, "ls-secret-key")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("lists the environment sorted as KEY=value", () => {
    expect(envList({ B: "2", A: "x=y" })).toEqual(["A=x=y", "B=2"]);
  });
});

describe("instanceLabels and databaseNameOf", () => {
  it("labels every object with the instance, annotator, organization and database", () => {
    expect(instanceLabels(spec, "fleet-ls-")).toEqual({
      "labelfleet.managed": "true",
      "labelfleet.prefix": "fleet-ls-",
      "labelfleet.instance": "fleet-ls-42",
      "labelfleet.annotator-id": "42",
      "labelfleet.organization-id": "1",
      "labelfleet.subdomain": "alice",
      "labelfleet.database": spec.databaseName,
    });
  });

  it.each([
    { backendData: null, expected: "ls_annotator_7" },
    { backendData: { databaseName: "ls_custom" }, expected: "ls_custom" },
    { backendData: { databaseName: 3 }, expected: "ls_annotator_7" },
  ])("database of $backendData is $expected", ({ backendData, expected }) => {
    expect(databaseNameOf({ annotatorId: 7, subdomain: "x", containerId: null, backendData })).toBe(expected);
  });
});
