import { createHmac } from "node:crypto";
import type { AppConfig } from "../../config/config.js";
import type { InstanceRef, InstanceSpec } from "../instance-backend.js";

/** The port the LS image listens on (contract §2.1: `label-studio` serves on 8080). */
export const LS_CONTAINER_PORT = 8080;
/** Where the LS image keeps its data (uploads, `.env`, SQLite when no PostgreSQL is configured). */
export const LS_DATA_DIR = "/label-studio/data";

/** What the container backends share from the configuration. */
export type ContainerFleetConfig = Pick<AppConfig, "instances" | "routing" | "containers">;

/** Connection settings of an annotator's own PostgreSQL database, as the instance sees them. */
export interface InstanceDatabase {
  host: string;
  port: number;
  name: string;
  user: string;
  password: string;
}

/** Engine object name of an annotator's instance: `<prefix><annotator id>` (a valid DNS label). */
export const instanceName = (prefix: string, annotatorId: number): string => `${prefix}${annotatorId}`;

/** Host at which the instance is routed (`<subdomain>.<FLEET_DOMAIN>`, `.localhost` when unset). */
export const instanceHost = (spec: Pick<InstanceSpec, "subdomain">, fleetDomain: string | undefined) =>
  `${spec.subdomain}.${fleetDomain ?? "localhost"}`;

/** Public origin of the instance, which LS needs as LABEL_STUDIO_HOST and CSRF origin (§2.1). */
export const instanceOrigin = (spec: Pick<InstanceSpec, "subdomain">, fleet: ContainerFleetConfig) =>
  `${fleet.instances.urlScheme}://${instanceHost(spec, fleet.instances.fleetDomain)}`;

/**
 * A secret derived from the annotator's webhook secret, so it is stable across restarts without
 * being stored anywhere else (HMAC is one-way: the derived value reveals nothing of the source).
 */
export const deriveInstanceSecret = (spec: Pick<InstanceSpec, "webhookSecret">, purpose: string) =>
  createHmac("sha256", spec.webhookSecret).update(`labelfleet:${purpose}`).digest("hex");

/**
 * `labelfleet.*` labels put on every engine object (containers, volumes, ECS resources' tags,
 * Kubernetes metadata), so a fleet's objects can be listed and cleaned up by label.
 */
export function instanceLabels(spec: InstanceSpec, prefix: string): Record<string, string> {
  return {
    "labelfleet.managed": "true",
    "labelfleet.prefix": prefix,
    "labelfleet.instance": instanceName(prefix, spec.annotatorId),
    "labelfleet.annotator-id": String(spec.annotatorId),
    "labelfleet.organization-id": String(spec.organizationId),
    "labelfleet.subdomain": spec.subdomain,
    "labelfleet.database": spec.databaseName,
  };
}

/** The annotator's database name, as recorded at creation (`ls_annotator_<id>` by convention). */
export function databaseNameOf(ref: InstanceRef): string {
  const recorded = ref.backendData?.databaseName;
  return typeof recorded === "string" && recorded ? recorded : `ls_annotator_${ref.annotatorId}`;
}

/**
 * The environment of an LS container (contract §1.3 and §2.1): bootstrap of the user and its legacy
 * token (legacy tokens enabled when the organization is created, i.e. at first start), an explicit
 * SECRET_KEY (so PATs survive a lost data volume), the public origin for host and CSRF checks,
 * PostgreSQL when the annotator has a database, and telemetry off. Bare PORT/HOST are never set:
 * LS reads them too.
 */
export function buildLabelStudioEnv(
  spec: InstanceSpec,
  fleet: ContainerFleetConfig,
  database: InstanceDatabase | null,
): Record<string, string> {
  const origin = instanceOrigin(spec, fleet);
  const secure = fleet.instances.urlScheme === "https" ? "1" : "0";
  const env: Record<string, string> = {
    LABEL_STUDIO_USERNAME: spec.lsUsername,
    LABEL_STUDIO_PASSWORD: spec.lsPassword,
    LABEL_STUDIO_USER_TOKEN: spec.lsToken,
    LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN: "true",
    LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK: "true",
    SECRET_KEY: deriveInstanceSecret(spec, "ls-secret-key"),
    LABEL_STUDIO_HOST: origin,
    CSRF_TRUSTED_ORIGINS: origin,
    ALLOWED_HOSTS: "*",
    SESSION_COOKIE_SECURE: secure,
    CSRF_COOKIE_SECURE: secure,
    LABEL_STUDIO_BASE_DATA_DIR: LS_DATA_DIR,
    COLLECT_ANALYTICS: "false",
    LATEST_VERSION_CHECK: "false",
    SENTRY_DSN: "",
    FRONTEND_SENTRY_DSN: "",
  };
  if (database) {
    // Note the spelling POSTGRE_, not POSTGRES_ (§2.1).
    Object.assign(env, {
      DJANGO_DB: "default",
      POSTGRE_NAME: database.name,
      POSTGRE_USER: database.user,
      POSTGRE_PASSWORD: database.password,
      POSTGRE_HOST: database.host,
      POSTGRE_PORT: String(database.port),
    });
  }
  return env;
}

/** Docker/ECS style `KEY=value` list, sorted so specs compare and diff deterministically. */
export const envList = (env: Record<string, string>): string[] =>
  Object.keys(env)
    .sort()
    .map((key) => `${key}=${env[key]}`);
