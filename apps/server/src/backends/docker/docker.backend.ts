import Dockerode from "dockerode";
import type { AppConfig } from "../../config/config.js";
import { AppError } from "../../lib/app-error.js";
import {
  type ContainerFleetConfig,
  databaseNameOf,
  instanceName,
  LS_CONTAINER_PORT,
} from "../container/container-instance.js";
import { createInstanceDatabases, type InstanceDatabases } from "../container/instance-database.js";
import type {
  InstanceBackend,
  InstanceInfo,
  InstanceRef,
  InstanceSpec,
  InstanceStatus,
} from "../instance-backend.js";
import {
  buildContainerSpec,
  buildVolumeSpec,
  dockerConnectionOptions,
  volumeName,
} from "./container-spec.js";
import { demuxDockerLogs } from "./docker-logs.js";

export interface DockerBackendOptions {
  config: ContainerFleetConfig & Pick<AppConfig, "docker">;
  /** Engine client; default: one built from DOCKER_HOST. */
  engine?: Dockerode;
  /** Per-annotator databases; default: from LS_DATABASE_URL (none when unset). */
  databases?: InstanceDatabases | null;
}

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;

/**
 * The `docker` instance backend (DESIGN §7): one LS container per annotator, named
 * `<prefix><annotator id>`, with a data volume and, when LS_DATABASE_URL is set, its own PostgreSQL
 * database. Specs come from the pure builders in container-spec.ts; this file only talks to the engine.
 */
export function createDockerBackend(options: DockerBackendOptions): InstanceBackend {
  const { config } = options;
  const engine = options.engine ?? new Dockerode(dockerConnectionOptions(config.docker.host));
  const prefix = config.containers.namePrefix;
  const databases =
    options.databases !== undefined
      ? options.databases
      : config.containers.databaseAdminUrl
        ? createInstanceDatabases(config.containers.databaseAdminUrl, config.containers.databaseInstanceHost)
        : null;

  async function step<T>(what: string, name: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError("UNAVAILABLE", `docker: ${what} ${name} failed: ${(error as Error).message}`);
    }
  }

  const containerOf = (ref: InstanceRef) =>
    engine.getContainer(ref.containerId ?? instanceName(prefix, ref.annotatorId));

  async function ensureImage(image: string): Promise<void> {
    try {
      await engine.getImage(image).inspect();
      return;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    if (!config.docker.pullImage)
      throw new AppError("UNAVAILABLE", `docker: image ${image} is missing and DOCKER_PULL_IMAGE is off`);
    const stream = await engine.pull(image);
    await new Promise<void>((resolve, reject) =>
      engine.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve())),
    );
  }

  /** Where LabelFleet reaches a started container: its published port, or its network address. */
  async function describe(container: Dockerode.Container): Promise<InstanceInfo> {
    const data = await container.inspect();
    const name = data.Name.replace(/^\//, "");
    let host: string;
    let port = LS_CONTAINER_PORT;
    if (config.docker.publishPort) {
      const binding = data.NetworkSettings.Ports?.[`${LS_CONTAINER_PORT}/tcp`]?.[0];
      if (!binding) throw new AppError("UNAVAILABLE", `docker: container ${name} has no published port`);
      host = binding.HostIp && binding.HostIp !== "0.0.0.0" ? binding.HostIp : "127.0.0.1";
      port = Number(binding.HostPort);
    } else {
      const networks = data.NetworkSettings.Networks ?? {};
      const network = networks[config.docker.network ?? "bridge"] ?? Object.values(networks)[0];
      if (!network?.IPAddress) throw new AppError("UNAVAILABLE", `docker: container ${name} has no address`);
      host = network.IPAddress;
    }
    return {
      containerId: data.Id,
      host,
      port,
      url: `http://${host}:${port}`,
      backendData: {
        name,
        volume: volumeName(prefix, Number(data.Config.Labels?.["labelfleet.annotator-id"])),
        databaseName: data.Config.Labels?.["labelfleet.database"] ?? null,
      },
    };
  }

  async function create(spec: InstanceSpec): Promise<InstanceInfo> {
    const name = instanceName(prefix, spec.annotatorId);
    const database = databases ? await databases.ensure(spec) : null;
    await step("pulling image for", name, () => ensureImage(config.containers.image));
    await step("creating volume for", name, () => engine.createVolume(buildVolumeSpec(spec, config)));
    // A container left by an interrupted earlier attempt is replaced; the volume keeps the data.
    await step("replacing", name, () =>
      engine
        .getContainer(name)
        .remove({ force: true })
        .catch((error: unknown) => {
          if (statusOf(error) !== 404) throw error;
        }),
    );
    const options = buildContainerSpec(spec, { fleet: config, docker: config.docker, database });
    const container = await step("creating container", name, () => engine.createContainer(options));
    await step("starting", name, () => container.start());
    return step("inspecting", name, () => describe(container));
  }

  return {
    kind: "docker",
    create,

    async start(ref, spec) {
      const container = containerOf(ref);
      let running: boolean;
      try {
        running = (await container.inspect()).State.Running;
      } catch (error) {
        if (statusOf(error) === 404) return create(spec);
        throw new AppError(
          "UNAVAILABLE",
          `docker: inspecting ${container.id} failed: ${(error as Error).message}`,
        );
      }
      // Re-applies the database password (it follows the webhook secret) before LS connects.
      if (databases) await databases.ensure(spec);
      if (!running)
        await step("starting", container.id, () =>
          container.start().catch((error: unknown) => {
            if (statusOf(error) !== 304) throw error;
          }),
        );
      return step("inspecting", container.id, () => describe(container));
    },

    async stop(ref) {
      const container = containerOf(ref);
      await step("stopping", container.id, () =>
        container.stop({ t: config.docker.stopTimeoutSeconds }).catch((error: unknown) => {
          // 304: already stopped; 404: nothing to stop.
          if (statusOf(error) !== 304 && statusOf(error) !== 404) throw error;
        }),
      );
    },

    async remove(ref, { dropDatabase }) {
      const container = containerOf(ref);
      await step("removing", container.id, () =>
        container.remove({ force: true }).catch((error: unknown) => {
          if (statusOf(error) !== 404) throw error;
        }),
      );
      if (!dropDatabase) return;
      // The volume is the instance's data (uploads, SECRET_KEY file, SQLite without PostgreSQL).
      const volume = volumeName(prefix, ref.annotatorId);
      await step("removing volume", volume, () =>
        engine
          .getVolume(volume)
          .remove()
          .catch((error: unknown) => {
            if (statusOf(error) !== 404) throw error;
          }),
      );
      if (databases) await databases.drop(databaseNameOf(ref));
    },

    async inspect(ref): Promise<InstanceStatus> {
      const container = containerOf(ref);
      let data: Dockerode.ContainerInspectInfo;
      try {
        data = await container.inspect();
      } catch (error) {
        if (statusOf(error) === 404) return { state: "missing" };
        throw new AppError(
          "UNAVAILABLE",
          `docker: inspecting ${container.id} failed: ${(error as Error).message}`,
        );
      }
      return containerStatus(data);
    },

    async logs(ref, { tail }) {
      const container = containerOf(ref);
      const info = await step("inspecting", container.id, () => container.inspect());
      const raw = await step("reading logs of", container.id, () =>
        container.logs({ stdout: true, stderr: true, tail, follow: false }),
      );
      return info.Config.Tty ? raw.toString("utf8") : demuxDockerLogs(raw);
    },

    async close() {
      // dockerode keeps no connections open between calls.
    },
  };
}

/** Maps the engine's container state to the port's states (pure; see docker.backend.test.ts). */
export function containerStatus(
  data: Pick<Dockerode.ContainerInspectInfo, "State" | "RestartCount">,
): InstanceStatus {
  const state = data.State;
  const restarts = data.RestartCount;
  const health = (state as { Health?: { Status?: string } }).Health?.Status;
  if (state.Running && state.Restarting) return { state: "starting", restarts, detail: "restarting" };
  if (state.Running) {
    if (health === "starting") return { state: "starting", restarts, detail: "health check starting" };
    if (health === "unhealthy") return { state: "failed", restarts, detail: "health check failing" };
    return { state: "running", restarts };
  }
  if (state.Status === "dead" || state.OOMKilled || state.Error)
    return {
      state: "failed",
      restarts,
      detail: state.OOMKilled ? "out of memory" : state.Error || `container is ${state.Status}`,
    };
  // A crash shows as `exited` too. SIGTERM (143) and SIGKILL after the grace period (137) are what
  // `docker stop` produces, so only other non-zero codes count as a failure.
  if (state.Status === "exited" && ![0, 137, 143].includes(state.ExitCode))
    return { state: "failed", restarts, detail: `exited with code ${state.ExitCode}` };
  return { state: "stopped", restarts, detail: state.Status };
}
