import type { V1Deployment, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { makeInstanceSpec } from "../../../test/fakes/instance-spec.js";
import { loadConfig } from "../../config/config.js";
import { deploymentStatus } from "./kubernetes.backend.js";
import { buildDeployment, buildIngress, buildSecret, buildService, kubernetesLabels } from "./manifests.js";

const spec = makeInstanceSpec({ annotatorId: 21, subdomain: "gina" });
const optionsFor = (env: Record<string, string | undefined> = {}) => {
  const config = loadConfig({ FLEET_DOMAIN: "fleet.example.com", ...env });
  return { fleet: config, kubernetes: config.kubernetes };
};

describe("kubernetes manifests", () => {
  it("labels are valid Kubernetes label values (no trailing dash from the prefix)", () => {
    const labels = kubernetesLabels(spec, "fleet-ls-");
    expect(labels).toMatchObject({
      "labelfleet.prefix": "fleet-ls",
      "labelfleet.instance": "fleet-ls-21",
      "app.kubernetes.io/managed-by": "labelfleet",
    });
    for (const value of Object.values(labels))
      expect(value).toMatch(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/);
  });

  it("secret carries the LS environment (contract §1.3)", () => {
    const secret = buildSecret(spec, { ...optionsFor(), database: null });
    expect(secret.metadata).toMatchObject({ name: "fleet-ls-21", namespace: "labelfleet" });
    expect(secret.stringData).toMatchObject({
      LABEL_STUDIO_USER_TOKEN: spec.lsToken,
      LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN: "true",
      LABEL_STUDIO_HOST: "http://gina.fleet.example.com",
    });
  });

  it.each([
    { env: {}, replicas: undefined, expectedReplicas: 1, resources: undefined, pullSecrets: undefined },
    {
      env: {
        K8S_CPU_REQUEST: "250m",
        K8S_MEMORY_REQUEST: "512Mi",
        K8S_MEMORY_LIMIT: "2Gi",
        K8S_IMAGE_PULL_SECRET: "regcred",
      },
      replicas: 0,
      expectedReplicas: 0,
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } },
      pullSecrets: [{ name: "regcred" }],
    },
  ])(
    "deployment with replicas $expectedReplicas",
    ({ env, replicas, expectedReplicas, resources, pullSecrets }) => {
      const deployment = buildDeployment(spec, {
        ...optionsFor(env),
        ...(replicas === undefined ? {} : { replicas }),
      });
      expect(deployment.spec).toMatchObject({
        replicas: expectedReplicas,
        strategy: { type: "Recreate" },
        selector: { matchLabels: { "labelfleet.instance": "fleet-ls-21" } },
      });
      const pod = deployment.spec?.template.spec;
      expect(pod?.enableServiceLinks).toBe(false);
      expect(pod?.imagePullSecrets).toEqual(pullSecrets);
      expect(pod?.containers[0]).toMatchObject({
        name: "label-studio",
        image: "heartexlabs/label-studio:latest",
        ports: [{ name: "http", containerPort: 8080 }],
        envFrom: [{ secretRef: { name: "fleet-ls-21" } }],
        readinessProbe: { httpGet: { path: "/health", port: "http" } },
        volumeMounts: [{ name: "data", mountPath: "/label-studio/data" }],
      });
      expect(pod?.containers[0]?.resources).toEqual(resources);
      expect(deployment.spec?.template.metadata?.labels).toMatchObject(
        deployment.spec?.selector.matchLabels ?? { x: 1 },
      );
    },
  );

  it("service: ClusterIP 80 → the pod's http port", () => {
    expect(buildService(spec, optionsFor()).spec).toEqual({
      type: "ClusterIP",
      selector: { "labelfleet.instance": "fleet-ls-21" },
      ports: [{ name: "http", port: 80, targetPort: "http" }],
    });
  });

  it.each([
    { env: {}, cls: undefined, tls: undefined, annotations: {} },
    {
      env: {
        K8S_INGRESS_CLASS: "traefik",
        K8S_INGRESS_TLS_SECRET: "wildcard",
        K8S_INGRESS_ANNOTATIONS: '{"cert-manager.io/cluster-issuer":"le"}',
      },
      cls: "traefik",
      tls: [{ hosts: ["gina.fleet.example.com"], secretName: "wildcard" }],
      annotations: { "cert-manager.io/cluster-issuer": "le" },
    },
  ])("ingress class $cls", ({ env, cls, tls, annotations }) => {
    const ingress = buildIngress(spec, optionsFor(env));
    expect(ingress.metadata?.annotations).toEqual(annotations);
    expect(ingress.spec?.ingressClassName).toBe(cls);
    expect(ingress.spec?.tls).toEqual(tls);
    expect(ingress.spec?.rules).toEqual([
      {
        host: "gina.fleet.example.com",
        http: {
          paths: [
            {
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: "fleet-ls-21", port: { number: 80 } } },
            },
          ],
        },
      },
    ]);
  });

  it("refuses ingress annotations that are not a JSON object of strings", () => {
    expect(() => loadConfig({ K8S_INGRESS_ANNOTATIONS: '{"a":1}' })).toThrow(/K8S_INGRESS_ANNOTATIONS/);
  });
});

describe("deploymentStatus", () => {
  const deployment = (
    replicas: number,
    readyReplicas: number,
    progressing?: { status: string; message?: string },
  ) =>
    ({
      spec: { replicas, selector: {}, template: {} },
      status: { readyReplicas, conditions: progressing ? [{ type: "Progressing", ...progressing }] : [] },
    }) as V1Deployment;
  const pod = (restartCount: number, waiting?: string) =>
    ({
      status: {
        containerStatuses: [
          {
            name: "label-studio",
            ready: !waiting,
            restartCount,
            image: "",
            imageID: "",
            state: waiting ? { waiting: { reason: waiting } } : { running: {} },
          },
        ],
      },
    }) as V1Pod;

  it.each([
    { d: deployment(1, 1), pods: [pod(0)], expected: { state: "running", restarts: 0 } },
    { d: deployment(1, 0), pods: [], expected: { state: "starting", restarts: 0 } },
    { d: deployment(0, 0), pods: [], expected: { state: "stopped", restarts: 0 } },
    {
      d: deployment(1, 0),
      pods: [pod(4, "CrashLoopBackOff")],
      expected: { state: "failed", restarts: 4, detail: "CrashLoopBackOff" },
    },
    {
      d: deployment(1, 0),
      pods: [pod(0, "ContainerCreating")],
      expected: { state: "starting", restarts: 0 },
    },
    {
      d: deployment(1, 0, { status: "False", message: "progress deadline exceeded" }),
      pods: [],
      expected: { state: "failed", restarts: 0, detail: "progress deadline exceeded" },
    },
  ])("→ $expected.state", ({ d, pods, expected }) => {
    expect(deploymentStatus(d, pods)).toEqual(expected);
  });
});
