import path from "node:path";
import type { z } from "zod";
import { configSections } from "./sections.js";

type Sections = typeof configSections;
export type RawConfig = { [K in keyof Sections]: z.output<Sections[K]> };

export interface AppConfig {
  port: number;
  host: string;
  publicUrl: string | undefined;
  isProduction: boolean;
  nodeEnv: "development" | "production" | "test";
  dataDir: string;
  database: { url: string | undefined; poolSize: number };
  auth: {
    secret: string | undefined;
    adminEmail: string;
    adminPassword: string;
    sessionMaxAgeSeconds: number;
    secureCookies: boolean;
    loginMaxAttempts: number;
    loginWindowSeconds: number;
    trustProxy: boolean;
  };
  jobs: { concurrency: number; pollIntervalMs: number };
  logLevel: RawConfig["logging"]["LOG_LEVEL"];
  /** The stdio MCP server's default API token (http/mcp, cli/mcp.command.ts). */
  mcp: { token: string | undefined };
  storage: {
    /** STORAGE_DIR, resolved (default <data folder>/storage); used when `s3` is undefined. */
    dir: string;
    s3:
      | {
          bucket: string;
          region: string;
          endpoint: string | undefined;
          forcePathStyle: boolean;
          accessKeyId: string | undefined;
          secretAccessKey: string | undefined;
        }
      | undefined;
    urlTtlSeconds: number;
    syncPageSize: number;
  };
  instances: {
    backend: RawConfig["instances"]["ORCHESTRATOR_BACKEND"];
    labelStudioCommand: string | undefined;
    fleetDomain: string | undefined;
    urlScheme: "http" | "https";
    startTimeoutMs: number;
    dropDatabaseOnDelete: boolean;
    healthCheckIntervalMs: number;
    healthCheckTimeoutMs: number;
    restartMaxAttempts: number;
    restartBackoffMs: number;
  };
  routing: {
    traefikToken: string | undefined;
    traefikEntryPoints: string[];
    traefikCertResolver: string | undefined;
  };
  assignments: { deliveryAttempts: number; deliveryBackoffMs: number };
  ingestion: { webhookBatchMax: number; webhookBatchLanes: number };
  reconcile: { intervalMs: number; instanceTimeoutMs: number };
  /** GET /metrics: the bearer token it requires, or undefined for a public endpoint. */
  metrics: { token: string | undefined };
  /** Shared by the docker, ecs and kubernetes backends (backends/container/). */
  containers: {
    image: string;
    namePrefix: string;
    databaseAdminUrl: string | undefined;
    databaseInstanceHost: string | undefined;
  };
  docker: {
    host: string | undefined;
    network: string | undefined;
    publishPort: boolean;
    publishHost: string;
    restartPolicy: RawConfig["docker"]["DOCKER_RESTART_POLICY"];
    pullImage: boolean;
    memoryMb: number;
    cpus: number;
    stopTimeoutSeconds: number;
  };
  ecs: {
    cluster: string;
    region: string | undefined;
    launchType: "FARGATE" | "EC2";
    subnets: string[];
    securityGroups: string[];
    assignPublicIp: boolean;
    taskCpu: string;
    taskMemory: string;
    executionRoleArn: string | undefined;
    taskRoleArn: string | undefined;
    logGroup: string | undefined;
    vpcId: string | undefined;
    listenerArn: string | undefined;
    rulePriorityBase: number;
    ecsEndpoint: string | undefined;
    elbv2Endpoint: string | undefined;
  };
  kubernetes: {
    namespace: string;
    kubeconfigPath: string | undefined;
    instanceUrl: "service" | "ingress";
    ingressClass: string | undefined;
    ingressTlsSecret: string | undefined;
    ingressAnnotations: Record<string, string>;
    cpuRequest: string | undefined;
    memoryRequest: string | undefined;
    memoryLimit: string | undefined;
    imagePullSecret: string | undefined;
  };
}

/** Raised when the environment is invalid; its message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Parses the environment once at boot; nothing else reads process.env. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const problems: string[] = [];
  const raw: Partial<Record<keyof Sections, unknown>> = {};
  for (const [name, schema] of Object.entries(configSections) as [
    keyof Sections,
    Sections[keyof Sections],
  ][]) {
    const parsed = schema.safeParse(env);
    if (parsed.success) raw[name] = parsed.data;
    else for (const issue of parsed.error.issues) problems.push(`${issue.path.join(".")}: ${issue.message}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const { server, database, auth, jobs, logging } = raw as RawConfig;
  if (server.NODE_ENV === "production" && auth.ADMIN_PASSWORD === "admin") {
    throw new ConfigError([
      "ADMIN_PASSWORD: the default password `admin` is refused when NODE_ENV=production",
    ]);
  }
  return {
    port: server.PORT,
    host: server.HOST,
    publicUrl: server.PUBLIC_URL,
    isProduction: server.NODE_ENV === "production",
    nodeEnv: server.NODE_ENV,
    dataDir: path.resolve(server.LABELFLEET_DATA_DIR),
    database: { url: database.DATABASE_URL, poolSize: database.DATABASE_POOL_SIZE },
    auth: {
      secret: auth.AUTH_SECRET,
      adminEmail: auth.ADMIN_EMAIL,
      adminPassword: auth.ADMIN_PASSWORD,
      sessionMaxAgeSeconds: auth.SESSION_MAX_AGE_SECONDS,
      secureCookies: auth.SECURE_COOKIES,
      loginMaxAttempts: auth.LOGIN_MAX_ATTEMPTS,
      loginWindowSeconds: auth.LOGIN_WINDOW_SECONDS,
      trustProxy: auth.TRUST_PROXY,
    },
    jobs: { concurrency: jobs.WORKER_CONCURRENCY, pollIntervalMs: jobs.JOB_POLL_INTERVAL_MS },
    logLevel: logging.LOG_LEVEL,
    mcp: { token: (raw as RawConfig).mcp.LABELFLEET_TOKEN },
    storage: storageConfig((raw as RawConfig).storage, path.resolve(server.LABELFLEET_DATA_DIR)),
    instances: instancesConfig((raw as RawConfig).instances),
    routing: {
      traefikToken: (raw as RawConfig).routing.TRAEFIK_PROVIDER_TOKEN,
      traefikEntryPoints: (raw as RawConfig).routing.TRAEFIK_ENTRYPOINTS.split(",")
        .map((e) => e.trim())
        .filter(Boolean),
      traefikCertResolver: (raw as RawConfig).routing.TRAEFIK_CERT_RESOLVER,
    },
    assignments: {
      deliveryAttempts: (raw as RawConfig).assignments.ASSIGNMENT_DELIVERY_ATTEMPTS,
      deliveryBackoffMs: (raw as RawConfig).assignments.ASSIGNMENT_DELIVERY_BACKOFF_MS,
    },
    metrics: { token: (raw as RawConfig).metrics.METRICS_TOKEN },
    ingestion: {
      webhookBatchMax: (raw as RawConfig).ingestion.WEBHOOK_BATCH_MAX,
      webhookBatchLanes: (raw as RawConfig).ingestion.WEBHOOK_BATCH_LANES,
    },
    reconcile: {
      intervalMs: (raw as RawConfig).reconcile.RECONCILE_INTERVAL_SECONDS * 1000,
      instanceTimeoutMs: (raw as RawConfig).reconcile.RECONCILE_INSTANCE_TIMEOUT_MS,
    },
    ...containerBackendsConfig(raw as RawConfig),
  };
}

function instancesConfig(raw: RawConfig["instances"]): AppConfig["instances"] {
  return {
    backend: raw.ORCHESTRATOR_BACKEND,
    labelStudioCommand: raw.LABEL_STUDIO_COMMAND,
    fleetDomain: raw.FLEET_DOMAIN,
    urlScheme: raw.FLEET_URL_SCHEME,
    startTimeoutMs: raw.INSTANCE_START_TIMEOUT_SECONDS * 1000,
    dropDatabaseOnDelete: raw.INSTANCE_DROP_DATABASE_ON_DELETE,
    healthCheckIntervalMs: raw.HEALTH_CHECK_INTERVAL_SECONDS * 1000,
    healthCheckTimeoutMs: raw.HEALTH_CHECK_TIMEOUT_MS,
    restartMaxAttempts: raw.INSTANCE_RESTART_MAX_ATTEMPTS,
    restartBackoffMs: raw.INSTANCE_RESTART_BACKOFF_SECONDS * 1000,
  };
}

function storageConfig(raw: RawConfig["storage"], dataDir: string): AppConfig["storage"] {
  return {
    dir: path.resolve(raw.STORAGE_DIR ?? path.join(dataDir, "storage")),
    s3: raw.S3_BUCKET
      ? {
          bucket: raw.S3_BUCKET,
          region: raw.S3_REGION,
          endpoint: raw.S3_ENDPOINT,
          forcePathStyle: raw.S3_FORCE_PATH_STYLE,
          accessKeyId: raw.S3_ACCESS_KEY_ID,
          secretAccessKey: raw.S3_SECRET_ACCESS_KEY,
        }
      : undefined,
    urlTtlSeconds: raw.STORAGE_URL_TTL_SECONDS,
    syncPageSize: raw.ITEM_SYNC_PAGE_SIZE,
  };
}

const commaList = (value: string): string[] =>
  value
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);

function containerBackendsConfig(
  raw: RawConfig,
): Pick<AppConfig, "containers" | "docker" | "ecs" | "kubernetes"> {
  const { containers, docker, ecs, kubernetes: k8s } = raw;
  return {
    containers: {
      image: containers.LS_IMAGE,
      namePrefix: containers.INSTANCE_NAME_PREFIX,
      databaseAdminUrl: containers.LS_DATABASE_URL,
      databaseInstanceHost: containers.LS_DATABASE_INSTANCE_HOST,
    },
    docker: {
      host: docker.DOCKER_HOST,
      network: docker.DOCKER_NETWORK,
      publishPort: docker.DOCKER_PUBLISH_PORT,
      publishHost: docker.DOCKER_PUBLISH_HOST,
      restartPolicy: docker.DOCKER_RESTART_POLICY,
      pullImage: docker.DOCKER_PULL_IMAGE,
      memoryMb: docker.DOCKER_MEMORY_MB,
      cpus: docker.DOCKER_CPUS,
      stopTimeoutSeconds: docker.DOCKER_STOP_TIMEOUT_SECONDS,
    },
    ecs: {
      cluster: ecs.ECS_CLUSTER,
      region: ecs.ECS_REGION,
      launchType: ecs.ECS_LAUNCH_TYPE,
      subnets: commaList(ecs.ECS_SUBNETS),
      securityGroups: commaList(ecs.ECS_SECURITY_GROUPS),
      assignPublicIp: ecs.ECS_ASSIGN_PUBLIC_IP,
      taskCpu: ecs.ECS_TASK_CPU,
      taskMemory: ecs.ECS_TASK_MEMORY,
      executionRoleArn: ecs.ECS_EXECUTION_ROLE_ARN,
      taskRoleArn: ecs.ECS_TASK_ROLE_ARN,
      logGroup: ecs.ECS_LOG_GROUP,
      vpcId: ecs.ECS_VPC_ID,
      listenerArn: ecs.ECS_LISTENER_ARN,
      rulePriorityBase: ecs.ECS_RULE_PRIORITY_BASE,
      ecsEndpoint: ecs.ECS_ENDPOINT_URL,
      elbv2Endpoint: ecs.ELBV2_ENDPOINT_URL,
    },
    kubernetes: {
      namespace: k8s.K8S_NAMESPACE,
      kubeconfigPath: k8s.K8S_KUBECONFIG,
      instanceUrl: k8s.K8S_INSTANCE_URL,
      ingressClass: k8s.K8S_INGRESS_CLASS,
      ingressTlsSecret: k8s.K8S_INGRESS_TLS_SECRET,
      ingressAnnotations: JSON.parse(k8s.K8S_INGRESS_ANNOTATIONS) as Record<string, string>,
      cpuRequest: k8s.K8S_CPU_REQUEST,
      memoryRequest: k8s.K8S_MEMORY_REQUEST,
      memoryLimit: k8s.K8S_MEMORY_LIMIT,
      imagePullSecret: k8s.K8S_IMAGE_PULL_SECRET,
    },
  };
}
