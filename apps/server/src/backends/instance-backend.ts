/**
 * The port every instance backend implements (DESIGN §7): one Label Studio instance per annotator.
 * Adapters (process/, docker/, ecs/, kubernetes/) build their engine spec with a pure, table-tested
 * function and only talk to the engine here. Nothing outside backends/ branches on the backend kind.
 */

export const BACKEND_KINDS = ["process", "docker", "ecs", "kubernetes"] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** Everything an adapter needs to create an annotator's instance. */
export interface InstanceSpec {
  annotatorId: number;
  organizationId: number;
  /** DNS label, unique in the fleet: the instance is routed at `<subdomain>.<fleet domain>`. */
  subdomain: string;
  /** LS user bootstrapped at first start (contract §1.3). */
  lsUsername: string;
  lsPassword: string;
  /** LS legacy API token bootstrapped at first start; LabelFleet calls the instance with it. */
  lsToken: string;
  /** Sent by the instance in `X-Webhook-Secret` (token callback, webhooks). */
  webhookSecret: string;
  /** Per-annotator database name (`ls_annotator_<id>`) for backends that use PostgreSQL. */
  databaseName: string;
  /** LabelFleet's own URL as seen from the instance (token callback, webhooks). */
  callbackBaseUrl: string;
}

/** A reference to an existing instance, as stored on the annotator row. */
export interface InstanceRef {
  annotatorId: number;
  subdomain: string;
  containerId: string | null;
  backendData: Record<string, unknown> | null;
}

/** Where a started instance is and how LabelFleet reaches its API. */
export interface InstanceInfo {
  containerId: string;
  /** Address of the instance (container IP, 127.0.0.1 for processes). */
  host: string;
  port: number;
  /** Base URL LabelFleet uses for the LS API, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Adapter-specific data to keep (pid, data dir, service ARN, ...). */
  backendData?: Record<string, unknown>;
}

export type InstanceState = "running" | "starting" | "stopped" | "missing" | "failed";

export interface InstanceStatus {
  state: InstanceState;
  /** Restarts the engine has seen (container restarts, process respawns). */
  restarts?: number;
  detail?: string;
}

export interface InstanceBackend {
  readonly kind: BackendKind;
  /** Creates and starts a new instance (creating its database when the backend has one). */
  create(spec: InstanceSpec): Promise<InstanceInfo>;
  /** Starts a stopped instance again, keeping its data. */
  start(ref: InstanceRef, spec: InstanceSpec): Promise<InstanceInfo>;
  /** Stops the instance, keeping its data (ECS/Kubernetes: scale to 0, keep routing objects). */
  stop(ref: InstanceRef): Promise<void>;
  /** Removes the instance and its routing objects; drops its database when asked. */
  remove(ref: InstanceRef, options: { dropDatabase: boolean }): Promise<void>;
  inspect(ref: InstanceRef): Promise<InstanceStatus>;
  logs(ref: InstanceRef, options: { tail: number }): Promise<string>;
  /** Releases what the backend holds at server exit (the process backend kills its children). */
  close(): Promise<void>;
}
