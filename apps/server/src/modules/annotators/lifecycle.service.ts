import type { InstanceBackend } from "../../backends/instance-backend.js";
import type { AppConfig } from "../../config/config.js";
import type { Db } from "../../db/client.js";
import type { AnnotatorStatus } from "../../db/schema/index.js";
import { AppError, found, isAppError } from "../../lib/app-error.js";
import { type SecretBox, safeEqual } from "../../lib/crypto.js";
import type { Logger } from "../../lib/logger.js";
import { applyTransition, applyTransitionMany } from "../fsm/transition.js";
import {
  type AnnotatorRow,
  failAnnotator,
  findAnnotator,
  findAnnotatorRow,
  recordContainerEvent,
  updateAnnotator,
} from "./annotators.repo.js";
import { publicUrlOf, refOf, specOf } from "./instance-spec.js";
import { waitUntilReady } from "./readiness.js";

/** Sends a job (inside `tx` when given); `services.jobs.send`. */
export type SendJob = (
  name: string,
  payload: unknown,
  options?: { singletonKey?: string; delayMs?: number; maxAttempts?: number },
  tx?: Db,
) => Promise<number | null>;

export interface LifecycleDeps {
  db: Db;
  backend: InstanceBackend;
  secrets: SecretBox;
  serverSecret: string;
  config: AppConfig;
  log: Logger;
  sendJob: SendJob;
}

export interface ActiveAnnotator {
  organizationId: number;
  annotatorId: number;
  roleId: number | null;
}
export type ActiveListener = (annotator: ActiveAnnotator) => Promise<void> | void;

export const JOB_START = "annotator.start";
export const JOB_REMOVE_INSTANCE = "annotator.remove-instance";

const RUNNING: AnnotatorStatus[] = ["starting", "active", "paused"];
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const isConflict = (error: unknown) => isAppError(error) && error.code === "CONFLICT";

/**
 * The lifecycle of annotators' LS instances: start (asynchronous, a job), readiness, stop, delete,
 * the token callback and the status view. Every status change goes through the FSM and writes a
 * container event; a backend failure moves the annotator to `error` with the reason.
 */
export function createLifecycleService(deps: LifecycleDeps) {
  const { db, backend, config, log } = deps;
  const listeners: ActiveListener[] = [];
  const event = (
    row: AnnotatorRow,
    eventType: string,
    message: string,
    details?: Record<string, unknown>,
    tx = db,
  ) =>
    recordContainerEvent(tx, {
      organizationId: row.organizationId,
      annotatorId: row.id,
      eventType,
      message,
      details,
    });

  async function liveRow(organizationId: number, id: number) {
    return found(await findAnnotator(db, organizationId, id), "Annotator").annotator;
  }

  /** `starting` → `error` with the reason, unless someone moved the annotator meanwhile (stop, delete). */
  async function failStart(row: AnnotatorRow, reason: string, eventType = "start_failed") {
    const failed = await failAnnotator(db, row, {
      expectedState: "starting",
      reason,
      eventType,
      details: { restartCount: row.restartCount },
    });
    if (!failed) return false;
    // Leave nothing half-started behind (the process backend already killed a child that never got ready).
    await backend
      .stop(refOf((await findAnnotatorRow(db, row.id)) ?? row))
      .catch((e: unknown) =>
        log.warn({ annotatorId: row.id, err: messageOf(e) }, "could not stop a failed instance"),
      );
    return true;
  }

  /** Runs the start of an annotator in `starting`: provision, wait for LS, activate. Returns success. */
  async function runStart(annotatorId: number): Promise<boolean> {
    const row = await findAnnotatorRow(db, annotatorId);
    if (row?.status !== "starting") return false; // stopped or deleted meanwhile: nothing to do
    const deadline = Date.now() + config.instances.startTimeoutMs;
    const spec = specOf(row, { secrets: deps.secrets, serverSecret: deps.serverSecret, config });
    let info: Awaited<ReturnType<InstanceBackend["create"]>>;
    try {
      info = row.containerId ? await backend.start(refOf(row), spec) : await backend.create(spec);
    } catch (error) {
      await failStart(row, `The ${backend.kind} backend could not start the instance: ${messageOf(error)}`);
      return false;
    }
    await updateAnnotator(db, row.id, {
      backend: backend.kind,
      containerId: info.containerId,
      containerIp: info.host,
      containerPort: info.port,
      instanceUrl: info.url,
      backendData: info.backendData ?? null,
    });
    const provisioned = (await findAnnotatorRow(db, row.id)) ?? row;
    await event(provisioned, "provisioned", `Instance ${info.containerId} is up at ${info.url}`, {
      containerId: info.containerId,
      url: info.url,
    });
    let lsUserId: number;
    try {
      lsUserId = await waitUntilReady({
        url: info.url,
        token: spec.lsToken,
        deadline,
        backend,
        ref: refOf(provisioned),
      });
    } catch (error) {
      await failStart(provisioned, `Label Studio did not become ready: ${messageOf(error)}`);
      return false;
    }
    try {
      await db.transaction(async (tx) => {
        await applyTransition(tx, {
          organizationId: row.organizationId,
          entity: "annotator",
          entityId: row.id,
          transition: "activate",
          expectedState: "starting",
          context: { url: info.url, containerId: info.containerId },
        });
        await updateAnnotator(tx, row.id, { lsUserId, startedAt: new Date(), lastError: null });
        await event(provisioned, "active", `Label Studio is ready at ${info.url}`, { lsUserId }, tx);
      });
    } catch (error) {
      if (!isConflict(error)) throw error;
      // Stopped or deleted while we were starting it: do not leave the instance running.
      await backend.stop(refOf(provisioned)).catch(() => {});
      return false;
    }
    for (const listener of listeners) {
      try {
        await listener({ organizationId: row.organizationId, annotatorId: row.id, roleId: row.roleId });
      } catch (error) {
        log.error({ annotatorId: row.id, err: messageOf(error) }, "annotator-active hook failed");
      }
    }
    return true;
  }

  return {
    runStart,
    failStart,

    /** Registers what runs when an annotator becomes active (auto-assignment of the first batch). */
    onActive(listener: ActiveListener) {
      listeners.push(listener);
    },

    /** Queues the start (400 when the instance already runs); the job provisions and activates it. */
    async requestStart(
      organizationId: number,
      id: number,
      memberId: number | null,
      reason: string | null = null,
    ) {
      const row = await liveRow(organizationId, id);
      const alreadyRunning = () =>
        new AppError("BAD_REQUEST", `Annotator already has an active container (status ${row.status})`);
      if (RUNNING.includes(row.status)) throw alreadyRunning();
      try {
        await db.transaction(async (tx) => {
          await applyTransition(tx, {
            organizationId,
            entity: "annotator",
            entityId: id,
            transition: "start",
            triggeredBy: memberId,
            expectedState: row.status,
            reason,
          });
          // A manual start gives the restart policy a fresh budget.
          await updateAnnotator(tx, id, { restartCount: 0, lastError: null });
          await event(
            row,
            "starting",
            reason ? `Start requested: ${reason}` : "Start requested",
            { backend: backend.kind },
            tx,
          );
          await deps.sendJob(
            JOB_START,
            { annotatorId: id },
            { singletonKey: `${JOB_START}:${id}`, maxAttempts: 3 },
            tx,
          );
        });
      } catch (error) {
        const current = isAppError(error) ? error.extra?.current_state : undefined;
        if (isConflict(error) && RUNNING.includes(current as AnnotatorStatus)) throw alreadyRunning();
        throw error;
      }
      return { success: true as const, status: "starting" as const };
    },

    /** Stops the instance (data kept): stop → stopping → backend → stopped, or error when the backend fails. */
    async stop(organizationId: number, id: number, memberId: number | null, reason: string | null = null) {
      const row = await liveRow(organizationId, id);
      if (row.status === "created" || row.status === "stopped") {
        throw new AppError("BAD_REQUEST", `Annotator has no running container (status ${row.status})`);
      }
      const base = { organizationId, entity: "annotator" as const, entityId: id, triggeredBy: memberId };
      await db.transaction(async (tx) => {
        await applyTransition(tx, { ...base, transition: "stop", reason });
        await event(row, "stopping", reason ? `Stop requested: ${reason}` : "Stop requested", undefined, tx);
      });
      try {
        await backend.stop(refOf((await findAnnotatorRow(db, id)) ?? row));
      } catch (error) {
        const reason = `The ${backend.kind} backend could not stop the instance: ${messageOf(error)}`;
        await db.transaction(async (tx) => {
          await applyTransition(tx, { ...base, transition: "fail", reason });
          await updateAnnotator(tx, id, { lastError: reason });
          await event(row, "stop_failed", reason, undefined, tx);
        });
        throw new AppError("UNAVAILABLE", reason);
      }
      await db.transaction(async (tx) => {
        await applyTransition(tx, { ...base, transition: "mark_stopped" });
        await event(row, "stopped", "Instance stopped", undefined, tx);
      });
      return { success: true as const };
    },

    /** Removes the instance through the backend, then marks the annotator deleted (its e-mail is free again). */
    async remove(organizationId: number, id: number, memberId: number | null) {
      const row = await liveRow(organizationId, id);
      try {
        await backend.remove(refOf(row), { dropDatabase: config.instances.dropDatabaseOnDelete });
      } catch (error) {
        const reason = `The ${backend.kind} backend could not remove the instance: ${messageOf(error)}`;
        await event(row, "remove_failed", reason);
        throw new AppError("UNAVAILABLE", reason);
      }
      await db.transaction(async (tx) => {
        await applyTransition(tx, {
          organizationId,
          entity: "annotator",
          entityId: id,
          transition: "delete",
          triggeredBy: memberId,
        });
        await event(row, "deleted", "Annotator deleted and its instance removed", undefined, tx);
      });
      return { success: true as const };
    },

    /** Bulk delete (all ids must be live annotators of the organization); instances are removed by jobs. */
    async removeMany(organizationId: number, ids: number[], memberId: number | null) {
      const unique = [...new Set(ids)];
      const rows: AnnotatorRow[] = [];
      for (const id of unique) {
        const row = await findAnnotator(db, organizationId, id);
        if (!row) throw new AppError("NOT_FOUND", `Annotator ${id} not found`);
        rows.push(row.annotator);
      }
      const result = await db.transaction(async (tx) => {
        const outcome = await applyTransitionMany(tx, {
          organizationId,
          entity: "annotator",
          entityIds: unique,
          transition: "delete",
          triggeredBy: memberId,
        });
        if (outcome.skipped.length > 0) {
          throw new AppError("CONFLICT", `Annotators changed concurrently: ${outcome.skipped.join(", ")}`);
        }
        for (const row of rows) {
          await event(row, "deleted", "Annotator deleted (bulk); instance removal queued", undefined, tx);
          await deps.sendJob(
            JOB_REMOVE_INSTANCE,
            { annotatorId: row.id },
            { singletonKey: `${JOB_REMOVE_INSTANCE}:${row.id}` },
            tx,
          );
        }
        return outcome;
      });
      return { deleted: result.transitioned.length };
    },

    /** Job: removes the instance of a deleted annotator. */
    async removeInstance(annotatorId: number) {
      const row = await findAnnotatorRow(db, annotatorId);
      if (row?.status !== "deleted") return;
      await backend.remove(refOf(row), { dropDatabase: config.instances.dropDatabaseOnDelete });
      await event(row, "instance_removed", "Instance removed");
    },

    /** The spec's status view; `url` per `publicUrlOf`. */
    async status(organizationId: number, id: number) {
      const row = await liveRow(organizationId, id);
      return {
        status: row.status,
        containerId: row.containerId,
        containerIp: row.containerIp,
        containerPort: row.containerPort,
        subdomain: row.subdomain,
        url: row.status === "active" || row.status === "paused" ? publicUrlOf(row, config) : null,
        lastError: row.lastError,
        restartCount: row.restartCount,
      };
    },

    /**
     * The instance reports its LS API token (`POST /api/annotators/:id/token`), authenticated by the
     * annotator's webhook secret compared in constant time; unknown ids fail the same way as bad secrets.
     */
    async reportToken(id: number, providedSecret: string | undefined, token: string) {
      const row = await findAnnotatorRow(db, id);
      const live = row && row.status !== "deleted" && row.webhookSecretEnc ? row : null;
      const expected = live ? deps.secrets.open(live.webhookSecretEnc as string) : "\0no-annotator";
      const isValid = safeEqual(providedSecret ?? "", expected);
      if (!live || !providedSecret || !isValid) throw new AppError("UNAUTHORIZED", "Invalid webhook secret");
      await updateAnnotator(db, id, { apiTokenEnc: deps.secrets.seal(token) });
      await event(live, "token_reported", "The instance reported its LS API token");
      return { success: true as const };
    },
  };
}
export type LifecycleService = ReturnType<typeof createLifecycleService>;
