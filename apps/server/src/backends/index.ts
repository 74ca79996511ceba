import { accessSync, constants } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AppConfig } from "../config/config.js";
import type { Logger } from "../lib/logger.js";
import { createDockerBackend } from "./docker/docker.backend.js";
import { createEcsBackend } from "./ecs/ecs.backend.js";
import type { InstanceBackend } from "./instance-backend.js";
import { createKubernetesBackend } from "./kubernetes/kubernetes.backend.js";
import { createProcessBackend, type InstanceExit } from "./process/process.backend.js";
import { resolveLabelStudioCommand } from "./process/process-spec.js";

export type { InstanceExit } from "./process/process.backend.js";

/** The bundled LS simulator's CLI (apps/ls-sim), the embedded default LABEL_STUDIO_COMMAND. */
export const SIMULATOR_BIN = fileURLToPath(new URL("../../../ls-sim/bin/ls-sim.mjs", import.meta.url));

/** Absolute path of `program` when an executable of that name is on PATH. */
export function findOnPath(program: string, pathEnv = process.env.PATH ?? ""): string | null {
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface BackendDeps {
  config: AppConfig;
  log: Logger;
  /** A ready instance died on its own (backends that can tell at once; others rely on health checks). */
  onInstanceExit?: (event: InstanceExit) => void;
}

/** The one place that turns ORCHESTRATOR_BACKEND into an adapter; nothing else branches on the kind. */
export function createInstanceBackend({ config, log, onInstanceExit }: BackendDeps): InstanceBackend {
  const kind = config.instances.backend;
  switch (kind) {
    case "process":
      return createProcessBackend({
        command: resolveLabelStudioCommand(config.instances.labelStudioCommand, {
          onPath: (program) => findOnPath(program),
          nodePath: process.execPath,
          simulatorBin: SIMULATOR_BIN,
        }),
        dataRoot: config.dataDir,
        log,
        readyTimeoutMs: config.instances.startTimeoutMs,
        ...(onInstanceExit ? { onExit: onInstanceExit } : {}),
      });
    case "docker":
      return createDockerBackend({ config });
    case "ecs":
      return createEcsBackend({ config });
    case "kubernetes":
      return createKubernetesBackend({ config });
    default: {
      const unknown: never = kind;
      throw new Error(`Unknown ORCHESTRATOR_BACKEND ${String(unknown)}`);
    }
  }
}
