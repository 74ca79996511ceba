import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  type V1Deployment,
  type V1Pod,
} from "@kubernetes/client-node";
import type { AppConfig } from "../../config/config.js";
import { AppError } from "../../lib/app-error.js";
import {
  type ContainerFleetConfig,
  databaseNameOf,
  instanceHost,
  instanceName,
} from "../container/container-instance.js";
import { createInstanceDatabases, type InstanceDatabases } from "../container/instance-database.js";
import type {
  InstanceBackend,
  InstanceInfo,
  InstanceRef,
  InstanceSpec,
  InstanceStatus,
} from "../instance-backend.js";
import { buildDeployment, buildIngress, buildSecret, buildService, LS_CONTAINER_NAME } from "./manifests.js";

export interface KubernetesBackendOptions {
  config: ContainerFleetConfig & Pick<AppConfig, "kubernetes">;
  /** Cluster access; default: K8S_KUBECONFIG, else in-cluster, else ~/.kube/config. */
  kubeConfig?: KubeConfig;
  databases?: InstanceDatabases | null;
}

const codeOf = (error: unknown) => (error as { code?: number }).code;

async function ignore404(run: Promise<unknown>): Promise<void> {
  try {
    await run;
  } catch (error) {
    if (codeOf(error) !== 404) throw error;
  }
}

/** Container states that mean the pod will not come up by itself. */
const FATAL_WAITING = new Set([
  "CrashLoopBackOff",
  "ImagePullBackOff",
  "ErrImagePull",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
]);

/**
 * The `kubernetes` instance backend (DESIGN §7): per annotator a Secret (the LS environment), a
 * Deployment, a Service and an Ingress for `<subdomain>.<FLEET_DOMAIN>` in K8S_NAMESPACE. Stop scales
 * the Deployment to 0 replicas and keeps the rest; create and start apply all four (create, or
 * replace when they exist), so both are idempotent.
 */
export function createKubernetesBackend(options: KubernetesBackendOptions): InstanceBackend {
  const { config } = options;
  const k8s = config.kubernetes;
  const namespace = k8s.namespace;
  const kubeConfig = options.kubeConfig ?? defaultKubeConfig(k8s.kubeconfigPath);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const networking = kubeConfig.makeApiClient(NetworkingV1Api);
  const prefix = config.containers.namePrefix;
  const databases =
    options.databases !== undefined
      ? options.databases
      : config.containers.databaseAdminUrl
        ? createInstanceDatabases(config.containers.databaseAdminUrl, config.containers.databaseInstanceHost)
        : null;
  const manifestOptions = { fleet: config, kubernetes: k8s };

  async function step<T>(what: string, name: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AppError) throw error;
      const message = statusMessage(error);
      throw new AppError("UNAVAILABLE", `kubernetes: ${what} ${name} failed: ${message}`);
    }
  }

  /** Creates an object, or replaces it (at its current resourceVersion) when it already exists. */
  async function apply<T extends { metadata?: { name?: string; resourceVersion?: string } }>(
    body: T,
    api: {
      create: (body: T) => Promise<unknown>;
      read: (name: string) => Promise<T>;
      replace: (name: string, body: T) => Promise<unknown>;
    },
    merge: (body: T, existing: T) => T = (b) => b,
  ): Promise<void> {
    try {
      await api.create(body);
    } catch (error) {
      if (codeOf(error) !== 409) throw error;
      const name = body.metadata?.name as string;
      const existing = await api.read(name);
      const next = merge(body, existing);
      next.metadata = { ...next.metadata, resourceVersion: existing.metadata?.resourceVersion };
      await api.replace(name, next);
    }
  }

  async function provision(spec: InstanceSpec): Promise<InstanceInfo> {
    const name = instanceName(prefix, spec.annotatorId);
    const database = databases ? await databases.ensure(spec) : null;
    await step("applying secret", name, () =>
      apply(buildSecret(spec, { ...manifestOptions, database }), {
        create: (body) => core.createNamespacedSecret({ namespace, body }),
        read: (n) => core.readNamespacedSecret({ name: n, namespace }),
        replace: (n, body) => core.replaceNamespacedSecret({ name: n, namespace, body }),
      }),
    );
    await step("applying deployment", name, () =>
      apply(buildDeployment(spec, manifestOptions), {
        create: (body) => apps.createNamespacedDeployment({ namespace, body }),
        read: (n) => apps.readNamespacedDeployment({ name: n, namespace }),
        replace: (n, body) => apps.replaceNamespacedDeployment({ name: n, namespace, body }),
      }),
    );
    await step("applying service", name, () =>
      apply(
        buildService(spec, manifestOptions),
        {
          create: (body) => core.createNamespacedService({ namespace, body }),
          read: (n) => core.readNamespacedService({ name: n, namespace }),
          replace: (n, body) => core.replaceNamespacedService({ name: n, namespace, body }),
        },
        // clusterIP is immutable: a replace must carry the allocated one.
        (body, existing) => ({ ...body, spec: { ...body.spec, clusterIP: existing.spec?.clusterIP } }),
      ),
    );
    await step("applying ingress", name, () =>
      apply(buildIngress(spec, manifestOptions), {
        create: (body) => networking.createNamespacedIngress({ namespace, body }),
        read: (n) => networking.readNamespacedIngress({ name: n, namespace }),
        replace: (n, body) => networking.replaceNamespacedIngress({ name: n, namespace, body }),
      }),
    );
    const viaService = k8s.instanceUrl === "service";
    const host = viaService
      ? `${name}.${namespace}.svc.cluster.local`
      : instanceHost(spec, config.instances.fleetDomain);
    const scheme = viaService ? "http" : config.instances.urlScheme;
    const port = viaService || scheme === "http" ? 80 : 443;
    return {
      containerId: `${namespace}/${name}`,
      host,
      port,
      url: `${scheme}://${host}`,
      backendData: { namespace, name, databaseName: spec.databaseName },
    };
  }

  const nameOf = (ref: InstanceRef) => instanceName(prefix, ref.annotatorId);

  async function pods(name: string): Promise<V1Pod[]> {
    const list = await core.listNamespacedPod({ namespace, labelSelector: `labelfleet.instance=${name}` });
    return list.items;
  }

  return {
    kind: "kubernetes",
    create: provision,
    // Applying again sets replicas back to 1 and carries the current secrets and image.
    start: (_ref, spec) => provision(spec),

    async stop(ref) {
      const name = nameOf(ref);
      await step("scaling to 0", name, async () => {
        let scale: Awaited<ReturnType<typeof apps.readNamespacedDeploymentScale>>;
        try {
          scale = await apps.readNamespacedDeploymentScale({ name, namespace });
        } catch (error) {
          if (codeOf(error) === 404) return;
          throw error;
        }
        await apps.replaceNamespacedDeploymentScale({
          name,
          namespace,
          body: { ...scale, spec: { ...scale.spec, replicas: 0 } },
        });
      });
    },

    async remove(ref, { dropDatabase }) {
      const name = nameOf(ref);
      await step("deleting", name, async () => {
        await ignore404(networking.deleteNamespacedIngress({ name, namespace }));
        await ignore404(core.deleteNamespacedService({ name, namespace }));
        await ignore404(
          apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy: "Foreground" }),
        );
        await ignore404(core.deleteNamespacedSecret({ name, namespace }));
      });
      if (dropDatabase && databases) await databases.drop(databaseNameOf(ref));
    },

    async inspect(ref) {
      const name = nameOf(ref);
      return step("inspecting", name, async () => {
        let deployment: V1Deployment;
        try {
          deployment = await apps.readNamespacedDeployment({ name, namespace });
        } catch (error) {
          if (codeOf(error) === 404) return { state: "missing" } as InstanceStatus;
          throw error;
        }
        return deploymentStatus(deployment, await pods(name));
      });
    },

    async logs(ref, { tail }) {
      const name = nameOf(ref);
      return step("reading logs of", name, async () => {
        const newest = (await pods(name)).sort(
          (a, b) =>
            new Date(b.metadata?.creationTimestamp ?? 0).getTime() -
            new Date(a.metadata?.creationTimestamp ?? 0).getTime(),
        )[0];
        if (!newest?.metadata?.name) return "";
        return core.readNamespacedPodLog({
          name: newest.metadata.name,
          namespace,
          container: LS_CONTAINER_NAME,
          tailLines: tail,
        });
      });
    },

    async close() {
      // The client opens connections per request.
    },
  };
}

function defaultKubeConfig(path: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path) kubeConfig.loadFromFile(path);
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}

/** The API server's `Status.message` when it sent one, else the status code and the client's reason. */
function statusMessage(error: unknown): string {
  let body = (error as { body?: unknown }).body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      // not JSON: fall back to the error's message
    }
  }
  const fromBody = (body as { message?: unknown } | undefined)?.message;
  if (typeof fromBody === "string" && fromBody) return fromBody;
  // ApiException messages read "HTTP-Code: 401\nMessage: Unauthorized\nBody: ...".
  const text = String((error as Error).message ?? error);
  const code = (error as { code?: number }).code;
  const line = text.match(/^Message: (.*)$/m)?.[1];
  return code && line ? `HTTP ${code} ${line}` : (text.split("\n")[0] ?? "unknown error");
}

/** Maps a Deployment and its pods to the port's states (pure; see manifests.test.ts). */
export function deploymentStatus(deployment: V1Deployment, pods: V1Pod[]): InstanceStatus {
  const statuses = pods.flatMap((pod) => pod.status?.containerStatuses ?? []);
  const restarts = statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
  if ((deployment.spec?.replicas ?? 1) === 0) return { state: "stopped", restarts };
  const fatal = statuses.find((s) => s.state?.waiting?.reason && FATAL_WAITING.has(s.state.waiting.reason));
  if (fatal)
    return {
      state: "failed",
      restarts,
      detail: [fatal.state?.waiting?.reason, fatal.state?.waiting?.message].filter(Boolean).join(": "),
    };
  const progressing = deployment.status?.conditions?.find((c) => c.type === "Progressing");
  if (progressing?.status === "False")
    return {
      state: "failed",
      restarts,
      detail: progressing.message ?? progressing.reason ?? "deployment stalled",
    };
  if ((deployment.status?.readyReplicas ?? 0) >= 1) return { state: "running", restarts };
  return { state: "starting", restarts };
}
