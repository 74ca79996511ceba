import { describe, expect, it } from "vitest";
import { makeInstanceSpec } from "../../../test/fakes/instance-spec.js";
import { loadConfig } from "../../config/config.js";
import { buildContainerSpec, buildVolumeSpec, dockerConnectionOptions } from "./container-spec.js";

const spec = makeInstanceSpec({ annotatorId: 7, subdomain: "bob" });
const database = { host: "pg", port: 5432, name: "ls_annotator_7", user: "ls_annotator_7", password: "pw" };

function build(env: Record<string, string | undefined>, withDatabase = false) {
  const config = loadConfig(env);
  return buildContainerSpec(spec, {
    fleet: config,
    docker: config.docker,
    database: withDatabase ? database : null,
  });
}

describe("buildContainerSpec", () => {
  it("builds the default container: image, Init, restart policy, volume, labels on the object", () => {
    const options = build({});
    expect(options).toMatchObject({
      name: "fleet-ls-7",
      Image: "heartexlabs/label-studio:latest",
      ExposedPorts: { "8080/tcp": {} },
      StopTimeout: 10,
      HostConfig: {
        Init: true,
        RestartPolicy: { Name: "unless-stopped" },
        NetworkMode: "bridge",
        Mounts: [{ Type: "volume", Source: "fleet-ls-7-data", Target: "/label-studio/data" }],
      },
    });
    expect(options.HostConfig?.PortBindings).toBeUndefined();
    expect(options.HostConfig?.Memory).toBeUndefined();
    expect(options.NetworkingConfig).toBeUndefined();
    expect(options.Labels).toMatchObject({
      "labelfleet.managed": "true",
      "labelfleet.instance": "fleet-ls-7",
      "labelfleet.annotator-id": "7",
      "labelfleet.subdomain": "bob",
      "traefik.enable": "true",
      "traefik.http.routers.fleet-ls-7.rule": "Host(`bob.localhost`)",
      "traefik.http.routers.fleet-ls-7.entrypoints": "web",
      "traefik.http.services.fleet-ls-7.loadbalancer.server.port": "8080",
    });
    expect(options.Env).toContain(`LABEL_STUDIO_USER_TOKEN=${spec.lsToken}`);
    expect(options.Env).toContain("LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true");
    expect(options.Env).toContain("LABEL_STUDIO_HOST=http://bob.localhost");
    expect(options.Env?.some((e) => e.startsWith("DJANGO_DB="))).toBe(false);
  });

  it.each([
    {
      name: "a fleet network, TLS and a domain",
      env: {
        DOCKER_NETWORK: "traefik",
        FLEET_DOMAIN: "fleet.example.com",
        FLEET_URL_SCHEME: "https",
        TRAEFIK_ENTRYPOINTS: "websecure, web",
        TRAEFIK_CERT_RESOLVER: "le",
      },
      expected: {
        HostConfig: { NetworkMode: "traefik" },
        NetworkingConfig: { EndpointsConfig: { traefik: { Aliases: ["fleet-ls-7"] } } },
        Labels: {
          "traefik.docker.network": "traefik",
          "traefik.http.routers.fleet-ls-7.rule": "Host(`bob.fleet.example.com`)",
          "traefik.http.routers.fleet-ls-7.entrypoints": "websecure,web",
          "traefik.http.routers.fleet-ls-7.tls.certresolver": "le",
        },
      },
      env_contains: ["CSRF_TRUSTED_ORIGINS=https://bob.fleet.example.com", "SESSION_COOKIE_SECURE=1"],
    },
    {
      name: "a published port, limits and another prefix and image",
      env: {
        DOCKER_PUBLISH_PORT: "true",
        DOCKER_MEMORY_MB: "1024",
        DOCKER_CPUS: "1.5",
        DOCKER_RESTART_POLICY: "on-failure",
        INSTANCE_NAME_PREFIX: "acme-",
        LS_IMAGE: "heartexlabs/label-studio:1.20.0",
      },
      expected: {
        name: "acme-7",
        Image: "heartexlabs/label-studio:1.20.0",
        HostConfig: {
          PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
          Memory: 1024 * 1024 * 1024,
          NanoCpus: 1_500_000_000,
          RestartPolicy: { Name: "on-failure", MaximumRetryCount: 5 },
          Mounts: [{ Source: "acme-7-data" }],
        },
        Labels: { "labelfleet.instance": "acme-7", "labelfleet.prefix": "acme-" },
      },
      env_contains: ["SESSION_COOKIE_SECURE=0"],
    },
  ])("$name", ({ env, expected, env_contains }) => {
    const options = build(env);
    expect(options).toMatchObject(expected);
    for (const entry of env_contains) expect(options.Env).toContain(entry);
  });

  it("configures PostgreSQL when the annotator has a database", () => {
    const options = build({}, true);
    for (const entry of [
      "DJANGO_DB=default",
      "POSTGRE_NAME=ls_annotator_7",
      "POSTGRE_HOST=pg",
      "POSTGRE_PORT=5432",
    ])
      expect(options.Env).toContain(entry);
  });

  it("labels the data volume too", () => {
    expect(buildVolumeSpec(spec, loadConfig({}))).toEqual({
      Name: "fleet-ls-7-data",
      Labels: expect.objectContaining({ "labelfleet.managed": "true", "labelfleet.instance": "fleet-ls-7" }),
    });
  });
});

describe("dockerConnectionOptions", () => {
  it.each([
    { host: undefined, expected: { socketPath: "/var/run/docker.sock" } },
    {
      host: "unix:///run/user/1000/podman/podman.sock",
      expected: { socketPath: "/run/user/1000/podman/podman.sock" },
    },
    { host: "tcp://10.0.0.5:2375", expected: { protocol: "http", host: "10.0.0.5", port: 2375 } },
    { host: "tcp://docker", expected: { protocol: "http", host: "docker", port: 2375 } },
    {
      host: "https://docker.internal:2376",
      expected: { protocol: "https", host: "docker.internal", port: 2376 },
    },
  ])("$host", ({ host, expected }) => {
    expect(dockerConnectionOptions(host)).toEqual(expected);
  });
});
