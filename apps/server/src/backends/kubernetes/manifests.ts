import type {
  V1Deployment,
  V1Ingress,
  V1ResourceRequirements,
  V1Secret,
  V1Service,
} from "@kubernetes/client-node";
import type { AppConfig } from "../../config/config.js";
import {
  buildLabelStudioEnv,
  type ContainerFleetConfig,
  type InstanceDatabase,
  instanceHost,
  instanceLabels,
  instanceName,
  LS_CONTAINER_PORT,
  LS_DATA_DIR,
} from "../container/container-instance.js";
import type { InstanceSpec } from "../instance-backend.js";

export const LS_CONTAINER_NAME = "label-studio";

export interface ManifestOptions {
  fleet: ContainerFleetConfig;
  kubernetes: AppConfig["kubernetes"];
}

/** The instance's labels as Kubernetes accepts them (a label value must end with a letter or digit). */
export function kubernetesLabels(spec: InstanceSpec, prefix: string): Record<string, string> {
  const labels = instanceLabels(spec, prefix);
  return {
    ...labels,
    "labelfleet.prefix": prefix.replace(/[^a-z0-9]+$/, ""),
    "app.kubernetes.io/name": "label-studio",
    "app.kubernetes.io/managed-by": "labelfleet",
  };
}

function metadata(spec: InstanceSpec, options: ManifestOptions) {
  const prefix = options.fleet.containers.namePrefix;
  return {
    name: instanceName(prefix, spec.annotatorId),
    namespace: options.kubernetes.namespace,
    labels: kubernetesLabels(spec, prefix),
  };
}

/** The LS environment (contract §1.3, §2.1) in a Secret, so tokens and passwords stay out of the Deployment. */
export function buildSecret(
  spec: InstanceSpec,
  options: ManifestOptions & { database: InstanceDatabase | null },
): V1Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: metadata(spec, options),
    type: "Opaque",
    stringData: buildLabelStudioEnv(spec, options.fleet, options.database),
  };
}

/**
 * The annotator's Deployment: one LS pod (Recreate, so two never share the data), probes on LS
 * `/health`, the environment from the Secret, no service links (they would inject
 * `LABEL_STUDIO_PORT=tcp://...`, which LS reads, §1.3). `replicas: 0` is a stopped instance.
 */
export function buildDeployment(
  spec: InstanceSpec,
  options: ManifestOptions & { replicas?: number },
): V1Deployment {
  const meta = metadata(spec, options);
  const k8s = options.kubernetes;
  const resources: V1ResourceRequirements = {};
  if (k8s.cpuRequest || k8s.memoryRequest)
    resources.requests = {
      ...(k8s.cpuRequest ? { cpu: k8s.cpuRequest } : {}),
      ...(k8s.memoryRequest ? { memory: k8s.memoryRequest } : {}),
    };
  if (k8s.memoryLimit) resources.limits = { memory: k8s.memoryLimit };
  const probe = { httpGet: { path: "/health", port: "http" } };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta,
    spec: {
      replicas: options.replicas ?? 1,
      strategy: { type: "Recreate" },
      selector: { matchLabels: { "labelfleet.instance": meta.name } },
      template: {
        metadata: { labels: meta.labels },
        spec: {
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          ...(k8s.imagePullSecret ? { imagePullSecrets: [{ name: k8s.imagePullSecret }] } : {}),
          containers: [
            {
              name: LS_CONTAINER_NAME,
              image: options.fleet.containers.image,
              ports: [{ name: "http", containerPort: LS_CONTAINER_PORT }],
              envFrom: [{ secretRef: { name: meta.name } }],
              readinessProbe: { ...probe, periodSeconds: 5, failureThreshold: 3 },
              livenessProbe: { ...probe, initialDelaySeconds: 60, periodSeconds: 20, failureThreshold: 6 },
              ...(resources.requests || resources.limits ? { resources } : {}),
              volumeMounts: [{ name: "data", mountPath: LS_DATA_DIR }],
            },
          ],
          volumes: [{ name: "data", emptyDir: {} }],
        },
      },
    },
  };
}

/** A ClusterIP Service on port 80 in front of the pod's 8080. */
export function buildService(spec: InstanceSpec, options: ManifestOptions): V1Service {
  const meta = metadata(spec, options);
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta,
    spec: {
      type: "ClusterIP",
      selector: { "labelfleet.instance": meta.name },
      ports: [{ name: "http", port: 80, targetPort: "http" }],
    },
  };
}

/** The Ingress routing `<subdomain>.<FLEET_DOMAIN>` to the Service. */
export function buildIngress(spec: InstanceSpec, options: ManifestOptions): V1Ingress {
  const meta = metadata(spec, options);
  const k8s = options.kubernetes;
  const host = instanceHost(spec, options.fleet.instances.fleetDomain);
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { ...meta, annotations: k8s.ingressAnnotations },
    spec: {
      ...(k8s.ingressClass ? { ingressClassName: k8s.ingressClass } : {}),
      ...(k8s.ingressTlsSecret ? { tls: [{ hosts: [host], secretName: k8s.ingressTlsSecret }] } : {}),
      rules: [
        {
          host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: meta.name, port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };
}
