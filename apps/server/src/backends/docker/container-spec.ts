import type Dockerode from "dockerode";
import type { AppConfig } from "../../config/config.js";
import {
  buildLabelStudioEnv,
  type ContainerFleetConfig,
  envList,
  type InstanceDatabase,
  instanceHost,
  instanceLabels,
  instanceName,
  LS_CONTAINER_PORT,
  LS_DATA_DIR,
} from "../container/container-instance.js";
import type { InstanceSpec } from "../instance-backend.js";

export interface DockerSpecOptions {
  fleet: ContainerFleetConfig;
  docker: AppConfig["docker"];
  /** The annotator's PostgreSQL database; null keeps SQLite in the data volume. */
  database: InstanceDatabase | null;
}

const PORT_KEY = `${LS_CONTAINER_PORT}/tcp`;

/** Name of the volume that holds an instance's LS data folder. */
export const volumeName = (prefix: string, annotatorId: number) =>
  `${instanceName(prefix, annotatorId)}-data`;

/** The instance's data volume, labelled like every other object of the fleet. */
export function buildVolumeSpec(
  spec: InstanceSpec,
  fleet: ContainerFleetConfig,
): Dockerode.VolumeCreateOptions {
  const prefix = fleet.containers.namePrefix;
  return { Name: volumeName(prefix, spec.annotatorId), Labels: instanceLabels(spec, prefix) };
}

/**
 * Traefik docker-provider labels routing `<subdomain>.<FLEET_DOMAIN>` to the container's port 8080.
 * The router and service are named after the instance so two annotators never share one.
 */
export function traefikLabels(spec: InstanceSpec, options: DockerSpecOptions): Record<string, string> {
  const { fleet, docker } = options;
  const name = instanceName(fleet.containers.namePrefix, spec.annotatorId);
  const labels: Record<string, string> = {
    "traefik.enable": "true",
    [`traefik.http.routers.${name}.rule`]: `Host(\`${instanceHost(spec, fleet.instances.fleetDomain)}\`)`,
    [`traefik.http.routers.${name}.service`]: name,
    [`traefik.http.services.${name}.loadbalancer.server.port`]: String(LS_CONTAINER_PORT),
  };
  if (fleet.routing.traefikEntryPoints.length > 0)
    labels[`traefik.http.routers.${name}.entrypoints`] = fleet.routing.traefikEntryPoints.join(",");
  if (fleet.routing.traefikCertResolver)
    labels[`traefik.http.routers.${name}.tls.certresolver`] = fleet.routing.traefikCertResolver;
  if (docker.network) labels["traefik.docker.network"] = docker.network;
  return labels;
}

/**
 * dockerode create options of an annotator's LS container (DESIGN §7, contract §2.1): the LS image and
 * environment, `labelfleet.*` and Traefik labels, `Init: true` (so signals reach LS and zombies are
 * reaped), the restart policy, the data volume, the fleet network and, when configured, port 8080
 * published on DOCKER_PUBLISH_HOST (a free port the engine picks).
 */
export function buildContainerSpec(
  spec: InstanceSpec,
  options: DockerSpecOptions,
): Dockerode.ContainerCreateOptions {
  const { fleet, docker, database } = options;
  const prefix = fleet.containers.namePrefix;
  const name = instanceName(prefix, spec.annotatorId);
  const hostConfig: Dockerode.HostConfig = {
    Init: true,
    RestartPolicy:
      docker.restartPolicy === "on-failure"
        ? { Name: "on-failure", MaximumRetryCount: 5 }
        : { Name: docker.restartPolicy },
    Mounts: [{ Type: "volume", Source: volumeName(prefix, spec.annotatorId), Target: LS_DATA_DIR }],
    NetworkMode: docker.network ?? "bridge",
  };
  if (docker.publishPort)
    hostConfig.PortBindings = { [PORT_KEY]: [{ HostIp: docker.publishHost, HostPort: "" }] };
  if (docker.memoryMb > 0) hostConfig.Memory = docker.memoryMb * 1024 * 1024;
  if (docker.cpus > 0) hostConfig.NanoCpus = Math.round(docker.cpus * 1e9);
  const create: Dockerode.ContainerCreateOptions = {
    name,
    Image: fleet.containers.image,
    Env: envList(buildLabelStudioEnv(spec, fleet, database)),
    Labels: { ...instanceLabels(spec, prefix), ...traefikLabels(spec, options) },
    ExposedPorts: { [PORT_KEY]: {} },
    StopTimeout: docker.stopTimeoutSeconds,
    HostConfig: hostConfig,
  };
  // A user-defined network gives the container a DNS alias Traefik and other containers can use.
  if (docker.network)
    create.NetworkingConfig = { EndpointsConfig: { [docker.network]: { Aliases: [name] } } };
  return create;
}

/** dockerode connection options from DOCKER_HOST (unix://, tcp://, http(s)://; unset: the local socket). */
export function dockerConnectionOptions(dockerHost: string | undefined): Dockerode.DockerOptions {
  if (!dockerHost) return { socketPath: "/var/run/docker.sock" };
  if (dockerHost.startsWith("unix://")) return { socketPath: dockerHost.slice("unix://".length) };
  const url = new URL(dockerHost.replace(/^tcp:\/\//, "http://"));
  const protocol = url.protocol === "https:" ? "https" : "http";
  return { protocol, host: url.hostname, port: Number(url.port || (protocol === "https" ? 2376 : 2375)) };
}
