import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database, Db } from "../../db/client.js";
import { annotations, annotators, assignments } from "../../db/schema/index.js";
import { defineJob, type JobCatalog } from "../../jobs/catalog.js";
import { AppError } from "../../lib/app-error.js";
import type { SecretBox } from "../../lib/crypto.js";
import type { Logger } from "../../lib/logger.js";
import type { Metrics } from "../../lib/metrics.js";
import { openInstance } from "../assignments/ls-instance.js";
import type { CompletionService } from "../completion/completion.service.js";
import { type IngestionService, JOB_RECONCILE_ANNOTATOR } from "../ingestion/ingestion.service.js";
import { diffAnnotations } from "./reconcile-diff.js";

export const RECONCILE_JOB = "reconcile.run";
/** Advisory lock key of reconcile runs ("LFRC"): one run at a time across every replica. */
export const RECONCILE_LOCK_KEY = 0x4c465243;
/** Changes applied per transaction while catching up a project. */
const CHANGE_BATCH = 200;

export interface ReconcileError {
  annotatorId: number;
  assignmentId: number | null;
  instanceUrl: string | null;
  error: string;
}

export interface ReconcileResult {
  /** Assignments compared with their LS project. */
  reconciled: number;
  /** Assignments this run moved to `completed`. */
  completed: number;
  errors: ReconcileError[];
}

export interface ReconcileDeps {
  database: Pick<Database, "withSession">;
  db: Db;
  secrets: SecretBox;
  ingestion: Pick<IngestionService, "applyChanges">;
  completion: Pick<CompletionService, "complete">;
  catalog: JobCatalog;
  metrics: Metrics;
  log: Logger;
  /** Per-call timeout towards LS instances; an unreachable one must not hold the run for long. */
  instanceTimeoutMs: number;
}

type OpenAssignment = { id: number; lsProjectId: number };

/**
 * Reconcile (DESIGN §4 step 4): compares every in-progress assignment with its LS project, ingests
 * the annotations webhooks missed (LS never retries a webhook), removes the ones deleted in LS and
 * completes finished assignments. One run at a time under a PostgreSQL advisory lock (plus an
 * in-process flag, since PGlite's single session would re-enter it): a second caller gets CONFLICT.
 */
export function createReconcileService(deps: ReconcileDeps) {
  const { db, log } = deps;
  let running = false;

  async function openAssignments(organizationId: number | null, annotatorId: number | null) {
    const rows = await db
      .select({
        id: assignments.id,
        lsProjectId: assignments.lsProjectId,
        annotator: {
          id: annotators.id,
          organizationId: annotators.organizationId,
          instanceUrl: annotators.instanceUrl,
          apiTokenEnc: annotators.apiTokenEnc,
          webhookSecretEnc: annotators.webhookSecretEnc,
        },
      })
      .from(assignments)
      .innerJoin(annotators, eq(annotators.id, assignments.annotatorId))
      .where(
        and(
          eq(assignments.status, "in_progress"),
          isNotNull(assignments.lsProjectId),
          organizationId === null ? undefined : eq(assignments.organizationId, organizationId),
          annotatorId === null ? undefined : eq(assignments.annotatorId, annotatorId),
        ),
      )
      .orderBy(asc(assignments.annotatorId), asc(assignments.id));
    const byAnnotator = new Map<
      number,
      { annotator: (typeof rows)[number]["annotator"]; open: OpenAssignment[] }
    >();
    for (const row of rows) {
      const entry = byAnnotator.get(row.annotator.id) ?? { annotator: row.annotator, open: [] };
      entry.open.push({ id: row.id, lsProjectId: row.lsProjectId! });
      byAnnotator.set(row.annotator.id, entry);
    }
    return [...byAnnotator.values()];
  }

  /** Brings one assignment in line with its LS project; returns whether this call completed it. */
  async function reconcileAssignment(
    client: ReturnType<typeof openInstance>["client"],
    annotator: { id: number; organizationId: number },
    assignment: OpenAssignment,
  ) {
    const lsTasks = await client.listAllTasks(assignment.lsProjectId, { fields: "all", resolveUri: false });
    const local = await db
      .select({
        lsAnnotationId: annotations.lsAnnotationId,
        lsUpdatedAt: annotations.lsUpdatedAt,
        state: annotations.state,
      })
      .from(annotations)
      .where(
        and(eq(annotations.annotatorId, annotator.id), eq(annotations.lsProjectId, assignment.lsProjectId)),
      );
    const changes = diffAnnotations(assignment.lsProjectId, lsTasks, local);
    for (let i = 0; i < changes.length; i += CHANGE_BATCH) {
      await deps.ingestion.applyChanges(annotator, changes.slice(i, i + CHANGE_BATCH), "reconcile");
    }
    const result = await deps.completion.complete(assignment.id);
    return result.transitioned;
  }

  async function reconcileAll(
    organizationId: number | null,
    annotatorId: number | null,
  ): Promise<ReconcileResult> {
    const result: ReconcileResult = { reconciled: 0, completed: 0, errors: [] };
    for (const { annotator, open } of await openAssignments(organizationId, annotatorId)) {
      let client: ReturnType<typeof openInstance>["client"];
      try {
        client = openInstance(annotator, deps.secrets, {
          timeoutMs: deps.instanceTimeoutMs,
          retries: 1,
        }).client;
      } catch (error) {
        result.errors.push({
          annotatorId: annotator.id,
          assignmentId: null,
          instanceUrl: annotator.instanceUrl,
          error: messageOf(error),
        });
        continue;
      }
      for (const assignment of open) {
        try {
          if (await reconcileAssignment(client, annotator, assignment)) result.completed++;
          result.reconciled++;
        } catch (error) {
          result.errors.push({
            annotatorId: annotator.id,
            assignmentId: assignment.id,
            instanceUrl: annotator.instanceUrl,
            error: messageOf(error),
          });
          // An unreachable instance fails every assignment alike: report it once and move on.
          if (isUnreachable(error)) break;
        }
      }
    }
    deps.metrics.reconcileErrors.inc(result.errors.length);
    if (result.errors.length > 0) log.warn({ errors: result.errors }, "reconcile finished with errors");
    return result;
  }

  /**
   * One reconcile run, of one organization (the API; optionally one annotator's instance) or of all
   * (the periodic job). Throws CONFLICT
   * when another run holds the lock, in this process or any other.
   */
  async function run(
    organizationId: number | null,
    annotatorId: number | null = null,
  ): Promise<ReconcileResult> {
    if (running) throw new AppError("CONFLICT", "A reconcile run is already in progress");
    running = true;
    try {
      return await deps.database.withSession(async (session) => {
        const [lock] = (
          (await session.execute(
            sql`select pg_try_advisory_lock(${RECONCILE_LOCK_KEY}) as locked`,
          )) as unknown as {
            rows: { locked: boolean }[];
          }
        ).rows;
        if (!lock?.locked) {
          deps.metrics.reconcileRuns.inc({ outcome: "conflict" });
          throw new AppError("CONFLICT", "A reconcile run is already in progress");
        }
        try {
          const result = await reconcileAll(organizationId, annotatorId);
          deps.metrics.reconcileRuns.inc({ outcome: result.errors.length > 0 ? "partial" : "ok" });
          return result;
        } finally {
          await session.execute(sql`select pg_advisory_unlock(${RECONCILE_LOCK_KEY})`);
        }
      });
    } finally {
      running = false;
    }
  }

  deps.catalog.register(
    defineJob({
      name: RECONCILE_JOB,
      payload: z.object({}).passthrough(),
      maxAttempts: 1,
      async handler() {
        try {
          await run(null);
        } catch (error) {
          // Another replica is reconciling: this tick has nothing to add.
          if (!(error instanceof AppError && error.code === "CONFLICT")) throw error;
        }
      },
    }),
  );
  deps.catalog.register(
    defineJob({
      name: JOB_RECONCILE_ANNOTATOR,
      payload: z.object({ annotatorId: z.number().int().positive() }),
      maxAttempts: 3,
      async handler({ annotatorId }) {
        // Idempotent like a full run, so it needs no lock: it only narrows the scope to one instance.
        const result = await reconcileAll(null, annotatorId);
        if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.error).join("; "));
      },
    }),
  );

  return { run };
}
export type ReconcileService = ReturnType<typeof createReconcileService>;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1000);
const isUnreachable = (error: unknown) =>
  /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|timed? ?out|abort|fetch failed|no reachable/i.test(messageOf(error));
