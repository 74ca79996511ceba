import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeInstanceSpec } from "../../../test/fakes/instance-spec.js";
import { type K8sFake, startK8sFake } from "../../../test/fakes/k8s-fake.js";
import { loadConfig } from "../../config/config.js";
import type { InstanceBackend, InstanceInfo, InstanceSpec } from "../instance-backend.js";
import { createKubernetesBackend } from "./kubernetes.backend.js";

let fake: K8sFake;
let backend: InstanceBackend;
const env = { K8S_NAMESPACE: "annotators", FLEET_DOMAIN: "fleet.example.com", K8S_INGRESS_CLASS: "traefik" };
const KINDS = ["Secret", "Deployment", "Service", "Ingress"] as const;

const refOf = (spec: InstanceSpec, info: InstanceInfo | null) => ({
  annotatorId: spec.annotatorId,
  subdomain: spec.subdomain,
  containerId: info?.containerId ?? null,
  backendData: info?.backendData ?? null,
});

beforeAll(async () => {
  fake = await startK8sFake({ namespace: "annotators", token: "fake-token" });
  backend = createKubernetesBackend({ config: loadConfig(env), kubeConfig: fake.kubeConfig() });
});
afterAll(async () => {
  await backend.close();
  await fake.close();
});

describe("kubernetes backend against a fake API server", () => {
  it("create: Secret, Deployment, Service and Ingress for the subdomain; reached via the Service", async () => {
    const spec = makeInstanceSpec({ annotatorId: 1, subdomain: "alice" });
    const info = await backend.create(spec);
    expect(info).toMatchObject({
      containerId: "annotators/fleet-ls-1",
      host: "fleet-ls-1.annotators.svc.cluster.local",
      port: 80,
      url: "http://fleet-ls-1.annotators.svc.cluster.local",
    });
    for (const kind of KINDS) expect(fake.names(kind)).toEqual(["fleet-ls-1"]);
    expect(fake.calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual([
      "/api/v1/namespaces/annotators/secrets",
      "/apis/apps/v1/namespaces/annotators/deployments",
      "/api/v1/namespaces/annotators/services",
      "/apis/networking.k8s.io/v1/namespaces/annotators/ingresses",
    ]);
    expect(fake.get("Ingress", "fleet-ls-1").spec.rules[0].host).toBe("alice.fleet.example.com");
    expect(fake.get("Ingress", "fleet-ls-1").spec.ingressClassName).toBe("traefik");
    expect(fake.get("Secret", "fleet-ls-1").stringData.LABEL_STUDIO_USER_TOKEN).toBe(spec.lsToken);
    expect(fake.get("Deployment", "fleet-ls-1").spec.replicas).toBe(1);
    expect(await backend.inspect(refOf(spec, info))).toEqual({ state: "running", restarts: 0 });
    expect(await backend.logs(refOf(spec, info), { tail: 1 })).toBe("GET /health 200\n");
  });

  it("stop scales the Deployment to 0 through the scale subresource and keeps the rest", async () => {
    const spec = makeInstanceSpec({ annotatorId: 2, subdomain: "bob" });
    const info = await backend.create(spec);
    fake.calls.length = 0;
    await backend.stop(refOf(spec, info));
    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "GET /apis/apps/v1/namespaces/annotators/deployments/fleet-ls-2/scale",
      "PUT /apis/apps/v1/namespaces/annotators/deployments/fleet-ls-2/scale",
    ]);
    expect(fake.calls[1]?.body.spec.replicas).toBe(0);
    expect(fake.get("Deployment", "fleet-ls-2").spec.replicas).toBe(0);
    for (const kind of KINDS) expect(fake.names(kind)).toContain("fleet-ls-2");
    expect((await backend.inspect(refOf(spec, info))).state).toBe("stopped");
  });

  it("start replaces the existing objects (keeping the Service's clusterIP) and scales back to 1", async () => {
    const spec = makeInstanceSpec({ annotatorId: 3, subdomain: "carol" });
    const info = await backend.create(spec);
    const clusterIP = fake.get("Service", "fleet-ls-3").spec.clusterIP;
    await backend.stop(refOf(spec, info));
    const rotated = { ...spec, lsToken: "b".repeat(40) };
    await backend.start(refOf(spec, info), rotated);
    expect(fake.get("Deployment", "fleet-ls-3").spec.replicas).toBe(1);
    expect(fake.get("Service", "fleet-ls-3").spec.clusterIP).toBe(clusterIP);
    expect(fake.get("Secret", "fleet-ls-3").stringData.LABEL_STUDIO_USER_TOKEN).toBe("b".repeat(40));
    expect((await backend.inspect(refOf(spec, info))).state).toBe("running");
  });

  it("reports crash-looping pods as failed with their restarts", async () => {
    fake.state.podsBecomeReady = false;
    const spec = makeInstanceSpec({ annotatorId: 4, subdomain: "dan" });
    const info = await backend.create(spec);
    fake.state.podsBecomeReady = true;
    expect(await backend.inspect(refOf(spec, info))).toMatchObject({
      state: "failed",
      restarts: 3,
      detail: expect.stringContaining("CrashLoopBackOff"),
    });
  });

  it("remove deletes all four objects; inspect then says missing; a second remove and a stop are no-ops", async () => {
    const spec = makeInstanceSpec({ annotatorId: 5, subdomain: "erin" });
    const info = await backend.create(spec);
    await backend.remove(refOf(spec, info), { dropDatabase: false });
    for (const kind of KINDS) expect(fake.names(kind)).not.toContain("fleet-ls-5");
    expect(fake.names("Pod").filter((n) => n.startsWith("fleet-ls-5-"))).toEqual([]);
    expect(await backend.inspect(refOf(spec, info))).toEqual({ state: "missing" });
    await backend.remove(refOf(spec, info), { dropDatabase: false });
    await backend.stop(refOf(spec, info));
    expect(await backend.logs(refOf(spec, info), { tail: 10 })).toBe("");
  });

  it("reaches instances through their Ingress host when K8S_INSTANCE_URL=ingress", async () => {
    const viaIngress = createKubernetesBackend({
      config: loadConfig({ ...env, K8S_INSTANCE_URL: "ingress", FLEET_URL_SCHEME: "https" }),
      kubeConfig: fake.kubeConfig(),
    });
    const info = await viaIngress.create(makeInstanceSpec({ annotatorId: 6, subdomain: "fay" }));
    expect(info).toMatchObject({
      host: "fay.fleet.example.com",
      port: 443,
      url: "https://fay.fleet.example.com",
    });
  });

  it("names the step and the instance when the API server refuses", async () => {
    const unauthorized = createKubernetesBackend({
      config: loadConfig(env),
      kubeConfig: fake.kubeConfig("wrong"),
    });
    await expect(unauthorized.create(makeInstanceSpec({ annotatorId: 7 }))).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringMatching(/^kubernetes: applying secret fleet-ls-7 failed: HTTP 401 Unauthorized/),
    });
    const otherNamespace = createKubernetesBackend({
      config: loadConfig({ ...env, K8S_NAMESPACE: "elsewhere" }),
      kubeConfig: fake.kubeConfig(),
    });
    await expect(otherNamespace.create(makeInstanceSpec({ annotatorId: 8 }))).rejects.toMatchObject({
      message: expect.stringContaining('namespaces "elsewhere" not found'),
    });
  });
});
