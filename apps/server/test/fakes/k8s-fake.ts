import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";

/**
 * A local fake of the Kubernetes API server for the objects the kubernetes backend uses: Secrets,
 * Deployments (with the scale subresource), Services, Ingresses, and pods derived from Deployments
 * (list and log). It checks the bearer token, the namespace, object names and label values, selector
 * vs template labels, resourceVersion on replace and immutability of a Service's clusterIP, answering
 * with Kubernetes `Status` errors (404, 409, 422) like the real server.
 */
export interface K8sCall {
  method: string;
  path: string;
  body: any;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const RESOURCES: Record<string, string> = {
  "api/v1:secrets": "Secret",
  "api/v1:services": "Service",
  "api/v1:pods": "Pod",
  "apis/apps/v1:deployments": "Deployment",
  "apis/networking.k8s.io/v1:ingresses": "Ingress",
};

class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startK8sFake(options: { namespace: string; token: string }) {
  const calls: K8sCall[] = [];
  const store = new Map<string, Map<string, any>>(); // kind → name → object
  const state = {
    podsBecomeReady: true,
    logLines: ["ls-sim listening on http://0.0.0.0:8080", "GET /health 200"],
  };
  let version = 0;
  let ips = 10;
  for (const kind of Object.values(RESOURCES)) store.set(kind, new Map());
  const objects = (kind: string) => store.get(kind) as Map<string, any>;

  function validate(kind: string, body: any, name: string | undefined) {
    const objectName = body?.metadata?.name;
    if (!objectName || !DNS_LABEL.test(objectName))
      throw new StatusError(422, "Invalid", `${kind} "${objectName}" is invalid: metadata.name`);
    if (name && name !== objectName)
      throw new StatusError(400, "BadRequest", "the name of the object does not match");
    for (const [key, value] of Object.entries(body.metadata.labels ?? {}))
      if (typeof value !== "string" || value.length > 63 || !LABEL_VALUE.test(value))
        throw new StatusError(422, "Invalid", `metadata.labels: Invalid value: "${String(value)}" (${key})`);
    if (kind === "Deployment") {
      const selector = body.spec?.selector?.matchLabels ?? {};
      const labels = body.spec?.template?.metadata?.labels ?? {};
      if (Object.keys(selector).length === 0 || Object.entries(selector).some(([k, v]) => labels[k] !== v))
        throw new StatusError(
          422,
          "Invalid",
          "spec.template.metadata.labels: `selector` does not match template `labels`",
        );
    }
  }

  /** Pods follow their Deployment: `replicas` pods, ready or crash-looping per `state`. */
  function reconcile(deployment: any) {
    const name = deployment.metadata.name;
    const pods = objects("Pod");
    for (const [podName, pod] of pods)
      if (pod.metadata.labels["labelfleet.instance"] === name) pods.delete(podName);
    const replicas = deployment.spec.replicas ?? 1;
    for (let i = 0; i < replicas; i++) {
      const ready = state.podsBecomeReady;
      pods.set(`${name}-pod-${i}`, {
        metadata: {
          name: `${name}-pod-${i}`,
          namespace: options.namespace,
          labels: deployment.spec.template.metadata.labels,
          creationTimestamp: new Date().toISOString(),
        },
        status: {
          phase: "Running",
          containerStatuses: [
            {
              name: "label-studio",
              ready,
              restartCount: ready ? 0 : 3,
              image: deployment.spec.template.spec.containers[0].image,
              imageID: "",
              state: ready
                ? { running: { startedAt: new Date().toISOString() } }
                : {
                    waiting: {
                      reason: "CrashLoopBackOff",
                      message: "back-off 40s restarting failed container",
                    },
                  },
            },
          ],
        },
      });
    }
    deployment.status = {
      replicas,
      readyReplicas: state.podsBecomeReady ? replicas : 0,
      conditions: [{ type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" }],
    };
  }

  function handle(method: string, url: URL, body: any): { status: number; body: unknown; text?: string } {
    const match = url.pathname.match(
      /^\/(api\/v1|apis\/[^/]+\/v1)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/,
    );
    if (!match)
      throw new StatusError(
        404,
        "NotFound",
        `the server could not find the requested resource ${url.pathname}`,
      );
    const [, group, ns, resource, name, sub] = match;
    const kind = RESOURCES[`${group}:${resource}`];
    if (!kind) throw new StatusError(404, "NotFound", `unknown resource ${resource}`);
    if (ns !== options.namespace) throw new StatusError(404, "NotFound", `namespaces "${ns}" not found`);
    const items = objects(kind);
    if (!name) {
      if (method === "GET") {
        const selector = url.searchParams.get("labelSelector");
        const [key, value] = selector ? selector.split("=") : [];
        const list = [...items.values()].filter((o) => !key || o.metadata.labels?.[key] === value);
        return { status: 200, body: { kind: `${kind}List`, apiVersion: "v1", metadata: {}, items: list } };
      }
      if (method !== "POST") throw new StatusError(405, "MethodNotAllowed", method);
      validate(kind, body, undefined);
      if (items.has(body.metadata.name))
        throw new StatusError(409, "AlreadyExists", `${resource} "${body.metadata.name}" already exists`);
      const created = structuredClone(body);
      created.metadata = {
        ...created.metadata,
        namespace: ns,
        resourceVersion: String(++version),
        uid: `uid-${version}`,
      };
      if (kind === "Service") created.spec.clusterIP = `10.96.0.${ips++}`;
      if (kind === "Deployment") reconcile(created);
      items.set(body.metadata.name, created);
      return { status: 201, body: created };
    }
    const existing = items.get(name);
    if (!existing) throw new StatusError(404, "NotFound", `${resource} "${name}" not found`);
    if (sub === "log") {
      const tail = Number(url.searchParams.get("tailLines") ?? 0);
      const lines = tail > 0 ? state.logLines.slice(-tail) : state.logLines;
      return { status: 200, body: null, text: `${lines.join("\n")}\n` };
    }
    if (sub === "scale") {
      if (kind !== "Deployment") throw new StatusError(404, "NotFound", "no scale subresource");
      if (method === "GET")
        return {
          status: 200,
          body: {
            kind: "Scale",
            apiVersion: "autoscaling/v1",
            metadata: { name, namespace: ns, resourceVersion: existing.metadata.resourceVersion },
            spec: { replicas: existing.spec.replicas },
            status: { replicas: existing.status?.replicas ?? 0 },
          },
        };
      if (method !== "PUT") throw new StatusError(405, "MethodNotAllowed", method);
      if (
        body?.metadata?.resourceVersion &&
        body.metadata.resourceVersion !== existing.metadata.resourceVersion
      )
        throw new StatusError(409, "Conflict", "the object has been modified");
      existing.spec.replicas = body.spec.replicas;
      existing.metadata.resourceVersion = String(++version);
      reconcile(existing);
      return {
        status: 200,
        body: { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion } },
      };
    }
    if (method === "GET") return { status: 200, body: existing };
    if (method === "DELETE") {
      items.delete(name);
      if (kind === "Deployment")
        for (const [podName, pod] of objects("Pod"))
          if (pod.metadata.labels["labelfleet.instance"] === name) objects("Pod").delete(podName);
      return {
        status: 200,
        body: { kind: "Status", apiVersion: "v1", status: "Success", details: { name, kind: resource } },
      };
    }
    if (method === "PUT") {
      validate(kind, body, name);
      if (body.metadata.resourceVersion !== existing.metadata.resourceVersion)
        throw new StatusError(
          409,
          "Conflict",
          `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified`,
        );
      if (kind === "Service" && body.spec?.clusterIP !== existing.spec.clusterIP)
        throw new StatusError(422, "Invalid", "spec.clusterIP: Invalid value: field is immutable");
      const replaced = structuredClone(body);
      replaced.metadata = {
        ...replaced.metadata,
        namespace: ns,
        resourceVersion: String(++version),
        uid: existing.metadata.uid,
      };
      if (kind === "Deployment") reconcile(replaced);
      items.set(name, replaced);
      return { status: 200, body: replaced };
    }
    throw new StatusError(405, "MethodNotAllowed", method);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text ? JSON.parse(text) : undefined;
    const url = new URL(req.url ?? "/", "http://fake");
    calls.push({ method: req.method ?? "GET", path: url.pathname + url.search, body });
    try {
      if (req.headers.authorization !== `Bearer ${options.token}`)
        throw new StatusError(401, "Unauthorized", "Unauthorized");
      const result = handle(req.method ?? "GET", url, body);
      res.statusCode = result.status;
      if (result.text !== undefined) {
        res.setHeader("content-type", "text/plain");
        res.end(result.text);
      } else {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(result.body));
      }
    } catch (error) {
      const e = error instanceof StatusError ? error : new StatusError(500, "InternalError", String(error));
      res.statusCode = e.code;
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message: e.message,
          reason: e.reason,
          code: e.code,
        }),
      );
    }
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** A KubeConfig pointing at this fake, built in code. */
  function kubeConfig(token = options.token): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "fake", server: url, skipTLSVerify: true }],
      users: [{ name: "fake", token }],
      contexts: [{ name: "fake", cluster: "fake", user: "fake", namespace: options.namespace }],
      currentContext: "fake",
    });
    return kc;
  }

  return {
    url,
    calls,
    state,
    kubeConfig,
    get: (kind: "Secret" | "Deployment" | "Service" | "Ingress" | "Pod", name: string) =>
      objects(kind).get(name),
    names: (kind: "Secret" | "Deployment" | "Service" | "Ingress" | "Pod") =>
      [...objects(kind).keys()].sort(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type K8sFake = Awaited<ReturnType<typeof startK8sFake>>;
