import { z } from "zod";

/** Env values arrive as strings; empty strings mean "unset". */
const optionalString = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === "" ? undefined : v));
const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", ""])
    .optional()
    .transform((v) => (v === undefined || v === "" ? fallback : v === "true" || v === "1"));
const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * One Zod schema per section, keyed by the environment variable. Every variable is described:
 * `docs/configuration.md` is generated from these (npm run docs:config) and a test keeps it in sync.
 */
export const configSections = {
  server: z.object({
    PORT: int(3000, 0, 65_535).describe("HTTP port of the API, UI and MCP server (0 picks a free port)."),
    HOST: z.string().default("0.0.0.0").describe("Interface to listen on."),
    PUBLIC_URL: optionalString().describe(
      "URL at which LabelFleet is reached by browsers and LS instances (webhooks). Default: http://localhost:<PORT>.",
    ),
    NODE_ENV: z
      .enum(["development", "production", "test"])
      .default("development")
      .describe("`production` refuses the default admin password and hides stack traces."),
    LABELFLEET_DATA_DIR: z
      .string()
      .default("./data")
      .describe("Data folder: embedded database, generated secrets, local object storage, instance data."),
  }),
  database: z.object({
    DATABASE_URL: optionalString().describe(
      "PostgreSQL connection string. Unset: embedded PGlite in <data folder>/pglite (single-user installs and demos).",
    ),
    DATABASE_POOL_SIZE: int(10, 1, 500).describe("Maximum PostgreSQL connections per process."),
  }),
  auth: z.object({
    AUTH_SECRET: optionalString()
      .refine((v) => v === undefined || v.length >= 32, "must be at least 32 characters")
      .describe(
        "Key that signs sessions and encrypts stored secrets. Unset: generated once into <data folder>/auth-secret.",
      ),
    ADMIN_EMAIL: z
      .email()
      .default("admin@fleet.local")
      .describe("Email of the first admin, created when no member exists."),
    ADMIN_PASSWORD: z
      .string()
      .min(1)
      .default("admin")
      .describe("Password of the first admin. The default `admin` is refused when NODE_ENV=production."),
    SESSION_MAX_AGE_SECONDS: int(30 * 24 * 3600, 60, 365 * 24 * 3600).describe(
      "Lifetime of a session cookie.",
    ),
    SECURE_COOKIES: bool(false).describe("Mark session cookies Secure (set when served over HTTPS)."),
    LOGIN_MAX_ATTEMPTS: int(10, 1, 10_000).describe(
      "Failed sign-ins allowed per account and per client address within LOGIN_WINDOW_SECONDS.",
    ),
    LOGIN_WINDOW_SECONDS: int(900, 1, 86_400).describe("Window of the sign-in rate limit."),
    TRUST_PROXY: bool(false).describe(
      "Take the client address from X-Forwarded-For (behind a trusted proxy).",
    ),
  }),
  jobs: z.object({
    WORKER_CONCURRENCY: int(4, 1, 256).describe("Jobs one process runs at once (serve and worker roles)."),
    JOB_POLL_INTERVAL_MS: int(500, 10, 60_000).describe("How often an idle worker looks for due jobs."),
  }),
  logging: z.object({
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info")
      .describe("pino log level (JSON logs on stdout)."),
  }),
  mcp: z.object({
    LABELFLEET_TOKEN: optionalString().describe(
      "API token `labelfleet mcp` (MCP over stdio) acts with when `--token` is not given. The HTTP endpoint `/mcp` takes the token from each request's Authorization header instead.",
    ),
  }),
  instances: z.object({
    ORCHESTRATOR_BACKEND: z
      .enum(["process", "docker", "ecs", "kubernetes"])
      .default("process")
      .describe(
        "Where annotators' Label Studio instances run: `process` (local child processes, the embedded default), `docker`, `ecs` or `kubernetes`.",
      ),
    LABEL_STUDIO_COMMAND: optionalString().describe(
      "Command the `process` backend runs per annotator (LS's `label-studio` CLI arguments are appended). Default: `label-studio` when it is on PATH, else the bundled LS simulator (`node apps/ls-sim/bin/ls-sim.mjs`).",
    ),
    FLEET_DOMAIN: optionalString().describe(
      "Domain under which instances are routed as `<subdomain>.<FLEET_DOMAIN>` (Traefik, or the built-in proxy). Unset: annotator URLs are the instances' direct addresses (embedded mode) and the built-in proxy answers `<subdomain>.localhost`.",
    ),
    FLEET_URL_SCHEME: z
      .enum(["http", "https"])
      .default("http")
      .describe("Scheme of the routed annotator URLs (`https` when Traefik terminates TLS)."),
    INSTANCE_START_TIMEOUT_SECONDS: int(120, 1, 3600).describe(
      "How long a starting instance may take to answer LS `/health` before the annotator moves to `error`.",
    ),
    INSTANCE_DROP_DATABASE_ON_DELETE: bool(false).describe(
      "Drop the annotator's LS database (`ls_annotator_<id>`) when the annotator is deleted (backends with PostgreSQL).",
    ),
    HEALTH_CHECK_INTERVAL_SECONDS: int(30, 0, 86_400).describe(
      "Period of the instance health check (backend inspect + LS `/health`); 0 disables it.",
    ),
    HEALTH_CHECK_TIMEOUT_MS: int(3000, 100, 60_000).describe("Timeout of one LS `/health` probe."),
    INSTANCE_RESTART_MAX_ATTEMPTS: int(3, 0, 100).describe(
      "Automatic restarts of a dead instance before it is left in `error` (a manual start resets the count).",
    ),
    INSTANCE_RESTART_BACKOFF_SECONDS: int(5, 0, 3600).describe(
      "Delay before the first automatic restart; doubles with each further attempt (capped at 10 minutes).",
    ),
  }),
  routing: z.object({
    TRAEFIK_PROVIDER_TOKEN: optionalString()
      .refine((v) => v === undefined || v.length >= 16, "must be at least 16 characters")
      .describe(
        "Token Traefik's HTTP provider sends (`X-Traefik-Token` header or `?token=`) to read `GET /api/traefik/config`. Unset: that endpoint answers 401.",
      ),
    TRAEFIK_ENTRYPOINTS: z
      .string()
      .default("web")
      .describe("Comma-separated Traefik entry points of the annotator routers."),
    TRAEFIK_CERT_RESOLVER: optionalString().describe(
      "Traefik certificate resolver for the annotator routers; set it to serve them over TLS.",
    ),
  }),
  containers: z.object({
    LS_IMAGE: z
      .string()
      .min(1)
      .default("heartexlabs/label-studio:latest")
      .describe("Label Studio image run by the `docker`, `ecs` and `kubernetes` backends."),
    INSTANCE_NAME_PREFIX: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,15}$/, "lowercase letters, digits and dashes, at most 16 characters")
      .default("fleet-ls-")
      .describe(
        "Prefix of every engine object (container, volume, ECS service, target group, Kubernetes objects): `<prefix><annotator id>`. Give each LabelFleet sharing one engine or cluster its own.",
      ),
    LS_DATABASE_URL: optionalString().describe(
      "Admin connection (postgres://...) of the PostgreSQL server that holds one database per annotator (`ls_annotator_<id>`, owned by a role of the same name) for the `docker`, `ecs` and `kubernetes` backends. Unset: each instance keeps SQLite in its data volume.",
    ),
    LS_DATABASE_INSTANCE_HOST: optionalString().describe(
      "`host[:port]` of that PostgreSQL server as the instances reach it, when it differs from LS_DATABASE_URL's (e.g. a Docker network alias).",
    ),
  }),
  docker: z.object({
    DOCKER_HOST: optionalString().describe(
      "Docker Engine API address: `unix:///path/docker.sock`, `tcp://host:2375` or `http(s)://host:port` (Podman's compatible API works too). Default: /var/run/docker.sock.",
    ),
    DOCKER_NETWORK: optionalString().describe(
      "Network the instances join (the one Traefik watches). Unset: Docker's default bridge.",
    ),
    DOCKER_PUBLISH_PORT: bool(false).describe(
      "Publish each instance's port 8080 on DOCKER_PUBLISH_HOST (a free port) and reach it there instead of at the container address.",
    ),
    DOCKER_PUBLISH_HOST: z
      .string()
      .default("127.0.0.1")
      .describe("Host address published ports bind to (with DOCKER_PUBLISH_PORT)."),
    DOCKER_RESTART_POLICY: z
      .enum(["no", "on-failure", "unless-stopped", "always"])
      .default("unless-stopped")
      .describe("Docker restart policy of the instance containers."),
    DOCKER_PULL_IMAGE: bool(true).describe("Pull LS_IMAGE when the engine does not have it yet."),
    DOCKER_MEMORY_MB: int(0, 0, 1_048_576).describe("Memory limit per instance in MiB (0: none)."),
    DOCKER_CPUS: z.coerce
      .number()
      .min(0)
      .max(1024)
      .default(0)
      .describe("CPU limit per instance, in CPUs (0: none)."),
    DOCKER_STOP_TIMEOUT_SECONDS: int(10, 0, 600).describe(
      "Grace period between SIGTERM and SIGKILL when an instance is stopped.",
    ),
  }),
  ecs: z.object({
    ECS_CLUSTER: z.string().default("labelfleet").describe("ECS cluster the annotator services run in."),
    ECS_REGION: optionalString().describe("AWS region. Unset: the AWS SDK's default (AWS_REGION, profile)."),
    ECS_LAUNCH_TYPE: z.enum(["FARGATE", "EC2"]).default("FARGATE").describe("Launch type of the services."),
    ECS_SUBNETS: z
      .string()
      .default("")
      .describe("Comma-separated subnet ids of the tasks (awsvpc); required by the `ecs` backend."),
    ECS_SECURITY_GROUPS: z.string().default("").describe("Comma-separated security group ids of the tasks."),
    ECS_ASSIGN_PUBLIC_IP: bool(false).describe("Give each task a public IP (subnets without NAT)."),
    ECS_TASK_CPU: z.string().default("1024").describe("Task CPU units (Fargate sizes: 256 ... 16384)."),
    ECS_TASK_MEMORY: z.string().default("2048").describe("Task memory in MiB."),
    ECS_EXECUTION_ROLE_ARN: optionalString().describe(
      "Task execution role (image pull from ECR, CloudWatch logs).",
    ),
    ECS_TASK_ROLE_ARN: optionalString().describe("Role the LS container runs with."),
    ECS_LOG_GROUP: optionalString().describe(
      "CloudWatch Logs group of the LS containers (awslogs driver, stream prefix = instance name). Unset: no log configuration.",
    ),
    ECS_VPC_ID: optionalString().describe("VPC of the target groups; required by the `ecs` backend."),
    ECS_LISTENER_ARN: optionalString().describe(
      "ALB listener that gets one host-header rule per annotator; required by the `ecs` backend.",
    ),
    ECS_RULE_PRIORITY_BASE: int(1000, 1, 50_000).describe(
      "Lowest listener-rule priority the backend uses (it takes the first free one above it).",
    ),
    ECS_ENDPOINT_URL: optionalString().describe("ECS API endpoint override (LocalStack, tests)."),
    ELBV2_ENDPOINT_URL: optionalString().describe(
      "Elastic Load Balancing v2 API endpoint override (LocalStack, tests).",
    ),
  }),
  kubernetes: z.object({
    K8S_NAMESPACE: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS label")
      .default("labelfleet")
      .describe("Namespace of the annotators' Deployments, Services, Ingresses and Secrets."),
    K8S_KUBECONFIG: optionalString().describe(
      "Path of a kubeconfig file. Unset: the in-cluster service account, else ~/.kube/config (KUBECONFIG).",
    ),
    K8S_INSTANCE_URL: z
      .enum(["service", "ingress"])
      .default("service")
      .describe(
        "How LabelFleet reaches an instance's API: its Service DNS name (LabelFleet runs in the cluster) or its Ingress host.",
      ),
    K8S_INGRESS_CLASS: optionalString().describe("ingressClassName of the annotator Ingresses."),
    K8S_INGRESS_TLS_SECRET: optionalString().describe(
      "TLS secret (e.g. a wildcard certificate) put on every annotator Ingress.",
    ),
    K8S_INGRESS_ANNOTATIONS: z
      .string()
      .default("{}")
      .refine((v) => {
        try {
          const parsed: unknown = JSON.parse(v);
          return (
            typeof parsed === "object" &&
            parsed !== null &&
            !Array.isArray(parsed) &&
            Object.values(parsed).every((x) => typeof x === "string")
          );
        } catch {
          return false;
        }
      }, "a JSON object of strings")
      .describe("Annotations of every annotator Ingress, as a JSON object of strings."),
    K8S_CPU_REQUEST: optionalString().describe("CPU request of the LS container (e.g. `250m`)."),
    K8S_MEMORY_REQUEST: optionalString().describe("Memory request of the LS container (e.g. `512Mi`)."),
    K8S_MEMORY_LIMIT: optionalString().describe("Memory limit of the LS container (e.g. `2Gi`)."),
    K8S_IMAGE_PULL_SECRET: optionalString().describe("Image pull secret for LS_IMAGE."),
  }),
  storage: z.object({
    STORAGE_DIR: optionalString().describe(
      "Folder of the embedded object storage (used when S3_BUCKET is unset): a workflow's source path is a folder under it, served to LS instances through short-lived signed URLs. Default: <data folder>/storage.",
    ),
    S3_BUCKET: optionalString().describe(
      "S3 bucket of items and exports. Set: object storage is S3 (or an S3-compatible server, see S3_ENDPOINT); unset: the local folder STORAGE_DIR.",
    ),
    S3_REGION: z.string().default("us-east-1").describe("Region of the S3 bucket."),
    S3_ENDPOINT: optionalString().describe(
      "Endpoint of an S3-compatible server (MinIO, R2, s3rver), e.g. http://127.0.0.1:9000. Unset: AWS.",
    ),
    S3_FORCE_PATH_STYLE: bool(false).describe(
      "Address objects as <endpoint>/<bucket>/<key> instead of <bucket>.<endpoint>/<key> (most S3-compatible servers need it).",
    ),
    S3_ACCESS_KEY_ID: optionalString().describe(
      "Static S3 access key. Unset: the AWS SDK's default credential chain (environment, profile, instance or task role).",
    ),
    S3_SECRET_ACCESS_KEY: optionalString().describe("Secret of S3_ACCESS_KEY_ID."),
    STORAGE_URL_TTL_SECONDS: int(86_400, 60, 604_800).describe(
      "Lifetime of the presigned (S3) or signed (local) URLs put into LS tasks. LS resolves a task's URL when the annotator opens it, possibly hours after delivery; S3 allows at most 7 days.",
    ),
    ITEM_SYNC_PAGE_SIZE: int(1000, 1, 1000).describe(
      "Keys listed and inserted per step of an item sync (one transaction and one progress update per page).",
    ),
  }),
  assignments: z.object({
    ASSIGNMENT_DELIVERY_ATTEMPTS: int(5, 1, 50).describe(
      "Attempts to deliver an assignment into the annotator's LS instance before it is marked failed and its items return to the pool.",
    ),
    ASSIGNMENT_DELIVERY_BACKOFF_MS: int(5000, 0, 300_000).describe(
      "Delay before the second delivery attempt; doubles per attempt, capped at 5 minutes.",
    ),
  }),
  metrics: z.object({
    METRICS_TOKEN: optionalString().describe(
      "Bearer token Prometheus must send to GET /metrics (`Authorization: Bearer <token>`). Unset: /metrics is public, so keep it off the public network.",
    ),
  }),
  ingestion: z.object({
    WEBHOOK_BATCH_MAX: int(64, 1, 1000).describe(
      "Most webhook annotations written in one statement and commit (group commit: webhooks that arrive while a batch is written go together in the next). 1 writes each webhook alone.",
    ),
    WEBHOOK_BATCH_LANES: int(2, 1, 64).describe(
      "Webhook batches one process writes at once. An annotator's webhooks always go through the same lane, so concurrent batches never touch the same rows; keep it below DATABASE_POOL_SIZE.",
    ),
  }),
  reconcile: z.object({
    RECONCILE_INTERVAL_SECONDS: int(300, 0, 86_400).describe(
      "How often the periodic reconcile compares in-progress assignments with their LS projects and ingests what webhooks missed (0 = never; POST /api/reconcile still runs one).",
    ),
    RECONCILE_INSTANCE_TIMEOUT_MS: int(5000, 100, 120_000).describe(
      "Per-request timeout of reconcile towards one LS instance; an unreachable instance becomes an error entry of the run.",
    ),
  }),
} as const;

export type ConfigSectionName = keyof typeof configSections;
