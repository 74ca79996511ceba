import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client.js";
import { annotators } from "../../db/schema/index.js";
import type { JobCatalog } from "../../jobs/catalog.js";
import type { SendOptions } from "../../jobs/queue.js";
import type { LsWebhookEvent } from "../../labelstudio/webhook-payload.js";
import { AppError } from "../../lib/app-error.js";
import { type SecretBox, safeEqual, safeEqualDigest, secretDigest } from "../../lib/crypto.js";
import type { Metrics } from "../../lib/metrics.js";
import { uuidv7 } from "../../lib/uuidv7.js";
import { canTransition } from "../fsm/machines.js";
import { applyTransition } from "../fsm/transition.js";
import {
  type AnnotationChange,
  type AnnotationDeletion,
  type AnnotationUpsert,
  eventKey,
  toAnnotationChanges,
} from "./annotation-changes.js";
import { findAnnotation, insertEventOnce, markTaskUndone } from "./ingestion.repo.js";
import { createBatcher } from "./upsert-batcher.js";
import {
  type IngestUpsertInput,
  type IngestUpsertResult,
  ingestUpsertMany,
  JOB_ANNOTATION_CHANGED,
} from "./upsert-statement.js";

export { JOB_ANNOTATION_CHANGED, JOB_ASSIGNMENT_COMPLETE } from "./upsert-statement.js";
export const JOB_RECONCILE_ANNOTATOR = "reconcile.annotator";

export type ChangeOutcome = "ingested" | "duplicate" | "unmatched" | "stale";

/** What follow-up work learns about a changed annotation. */
export interface AnnotationChanged {
  annotationId: number;
  organizationId: number;
  itemId: number;
  annotatorId: number;
  assignmentId: number | null;
  kind: "created" | "updated" | "deleted";
}
export type AnnotationListener = (event: AnnotationChanged) => Promise<void>;

const AUTH_CACHE_MS = 30_000;
const AUTH_CACHE_SIZE = 10_000;

export interface IngestionDeps {
  db: Db;
  secrets: SecretBox;
  metrics: Metrics;
  catalog: JobCatalog;
  send: (name: string, payload: unknown, options?: SendOptions, tx?: Db) => Promise<number | null>;
  /** Wakes this process's worker after jobs were queued by SQL (the single-statement path). */
  kick?: () => void;
  /** Most single-annotation webhooks written in one statement (WEBHOOK_BATCH_MAX; 1 = no batching). */
  batchMax?: number;
  /** Batches written at once (WEBHOOK_BATCH_LANES); an annotator always uses the same lane. */
  batchLanes?: number;
}

/** A batch's JSON stays well under a few MB even when every webhook is at its size limit. */
const BATCH_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Webhook ingestion (DESIGN §4.4): verify → store each event once → upsert the annotation and mark
 * its task done, all in one transaction → answer. Everything slower (item bookkeeping, gold scoring,
 * agreement, completion) runs in jobs; listeners registered with `onAnnotationChanged` run there.
 */
export function createIngestionService({
  db,
  secrets,
  metrics,
  catalog,
  send,
  kick,
  batchMax = 64,
  batchLanes = 2,
}: IngestionDeps) {
  const listeners: AnnotationListener[] = [];
  // Single-annotation webhooks outside a transaction are group-committed (upsert-batcher.ts), in
  // lanes by annotator: concurrent batches then never update the same task or assignment rows (no
  // lock-order deadlocks between them).
  const lanes = Array.from({ length: batchLanes }, () =>
    createBatcher<IngestUpsertInput, IngestUpsertResult>((inputs) => ingestUpsertMany(db, inputs), {
      maxBatch: batchMax,
      maxBytes: BATCH_MAX_BYTES,
      sizeOf: (input) => input.eventKey.length + JSON.stringify(input.change.result).length,
      keysOf: (input) => [`e:${input.eventKey}`, `a:${input.annotatorId}:${input.change.lsAnnotationId}`],
      onBatch: (size) => metrics.webhookBatchSize.observe(size),
    }),
  );

  catalog.register({
    name: JOB_ANNOTATION_CHANGED,
    payload: z.object({
      annotationId: z.number(),
      organizationId: z.number(),
      itemId: z.number(),
      annotatorId: z.number(),
      assignmentId: z.number().nullable(),
      kind: z.enum(["created", "updated", "deleted"]),
    }),
    handler: async (event) => {
      for (const listener of listeners) await listener(event);
    },
  });

  // Digests of recent callers' secrets: the hot path then skips a read and a decryption. A rotated
  // secret takes effect at once (a mismatch re-reads); an old one is accepted for AUTH_CACHE_MS at most.
  const authCache = new Map<number, { organizationId: number; digest: Buffer; until: number }>();

  /** Verifies X-Annotator-Id + X-Webhook-Secret; unknown annotator and wrong secret answer alike. */
  async function authenticate(annotatorId: number, secret: string) {
    const cached = authCache.get(annotatorId);
    if (cached && cached.until > Date.now() && safeEqualDigest(cached.digest, secret)) {
      return { id: annotatorId, organizationId: cached.organizationId };
    }
    const [annotator] = await db
      .select({
        id: annotators.id,
        organizationId: annotators.organizationId,
        sealed: annotators.webhookSecretEnc,
      })
      .from(annotators)
      .where(eq(annotators.id, annotatorId));
    let expected = "";
    try {
      expected = annotator?.sealed ? secrets.open(annotator.sealed) : "";
    } catch {
      expected = "";
    }
    // Compare even when there is nothing to compare with, so both failures take the same time.
    const ok = safeEqual(expected || "\u0000never-matches", secret) && expected !== "";
    if (!annotator || !ok) throw new AppError("UNAUTHORIZED", "Invalid annotator or webhook secret");
    if (authCache.size >= AUTH_CACHE_SIZE) authCache.delete(authCache.keys().next().value!);
    authCache.set(annotator.id, {
      organizationId: annotator.organizationId,
      digest: secretDigest(expected),
      until: Date.now() + AUTH_CACHE_MS,
    });
    return { id: annotator.id, organizationId: annotator.organizationId };
  }

  async function applyUpsert(
    tx: Db,
    annotator: { id: number; organizationId: number },
    change: AnnotationUpsert,
    source: string,
  ): Promise<ChangeOutcome> {
    if (change.lsProjectId === null || change.lsTaskId === null) return "unmatched";
    // One key per logical change whatever brought it (webhook or reconcile): a webhook that arrives
    // after a reconcile ingested the same change is a duplicate, and the reverse.
    const input: IngestUpsertInput = {
      annotatorId: annotator.id,
      eventKey: eventKey(annotator.id, change),
      eventType: change.action === "ANNOTATION_UPDATED" ? "annotation_updated" : "annotation_created",
      change,
      historyId: uuidv7(),
      source,
    };
    // Outside a transaction the change may share a statement with other webhooks' (group commit).
    const stored =
      tx === db
        ? await lanes[annotator.id % lanes.length]!.submit(input)
        : (await ingestUpsertMany(tx, [input]))[0]!;
    if (
      !stored.target ||
      stored.target.assignmentStatus === "cancelled" ||
      stored.target.assignmentStatus === "failed"
    ) {
      // No event is stored, so its key stays free for the reconcile that ingests it once it matches.
      // Only a live task we cannot place asks for one (a cancelled batch's LS tasks are going away).
      if (!stored.target && source === "webhook") {
        await send(
          JOB_RECONCILE_ANNOTATOR,
          { annotatorId: annotator.id },
          { singletonKey: String(annotator.id), delayMs: 5000 },
          tx,
        );
      }
      return "unmatched";
    }
    if (!stored.isFresh) return "duplicate";
    if (!stored.annotation) return "stale";
    return "ingested";
  }

  async function applyDeletion(
    tx: Db,
    annotator: { id: number; organizationId: number },
    change: AnnotationDeletion,
    source: string,
  ): Promise<ChangeOutcome> {
    if (change.lsAnnotationId === null) {
      // LS dropped the id list (contract §6.3): only comparing with the instance can tell what went.
      if (source !== "webhook") return "unmatched";
      await send(
        JOB_RECONCILE_ANNOTATOR,
        { annotatorId: annotator.id },
        { singletonKey: String(annotator.id) },
        tx,
      );
      return "unmatched";
    }
    const fresh = await insertEventOnce(tx, {
      organizationId: annotator.organizationId,
      annotatorId: annotator.id,
      eventKey: eventKey(annotator.id, change),
      eventType: "annotation_deleted",
      lsProjectId: change.lsProjectId,
      lsAnnotationId: change.lsAnnotationId,
    });
    if (!fresh) return "duplicate";
    const annotation = await findAnnotation(tx, annotator.id, change.lsAnnotationId);
    if (!annotation || annotation.state === "DELETED") return "unmatched";
    if (canTransition("annotation", annotation.state, "delete")) {
      await applyTransition(tx, {
        organizationId: annotator.organizationId,
        entity: "annotation",
        entityId: annotation.id,
        transition: "delete",
        reason: `deleted in Label Studio (${source})`,
      });
    }
    if (annotation.assignmentId !== null)
      await markTaskUndone(tx, annotation.assignmentId, annotation.itemId);
    await send(
      JOB_ANNOTATION_CHANGED,
      {
        annotationId: annotation.id,
        organizationId: annotator.organizationId,
        itemId: annotation.itemId,
        annotatorId: annotator.id,
        assignmentId: annotation.assignmentId,
        kind: "deleted",
      } satisfies AnnotationChanged,
      {},
      tx,
    );
    return "ingested";
  }

  /** Applies changes of one annotator in one transaction; returns the outcome of each. */
  async function applyChanges(
    annotator: { id: number; organizationId: number },
    changes: AnnotationChange[],
    source: "webhook" | "reconcile",
  ) {
    if (changes.length === 0) return [] as ChangeOutcome[];
    const [only] = changes;
    // The common webhook (one annotation) is one statement, atomic without a transaction.
    const outcomes =
      changes.length === 1 && only?.kind === "upsert"
        ? [await applyUpsert(db, annotator, only, source)]
        : await db.transaction(async (tx) => {
            const results: ChangeOutcome[] = [];
            for (const change of changes) {
              results.push(
                change.kind === "upsert"
                  ? await applyUpsert(tx as Db, annotator, change, source)
                  : await applyDeletion(tx as Db, annotator, change, source),
              );
            }
            return results;
          });
    kick?.();
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome === "ingested") metrics.annotationsIngested.inc({ source, kind: changes[index]!.kind });
    }
    return outcomes;
  }

  return {
    authenticate,
    applyChanges,
    /** Registers follow-up work run (in a job) after every stored annotation change. */
    onAnnotationChanged(listener: AnnotationListener) {
      listeners.push(listener);
    },
    /** Ingests one authenticated webhook body. */
    async ingestWebhook(annotatorId: number, secret: string, event: LsWebhookEvent) {
      const annotator = await authenticate(annotatorId, secret);
      const outcomes = await applyChanges(annotator, toAnnotationChanges(event), "webhook");
      const outcome =
        outcomes.length === 0
          ? "ignored"
          : outcomes.every((o) => o === "duplicate")
            ? "duplicate"
            : outcomes.includes("ingested")
              ? "ingested"
              : outcomes[0]!;
      metrics.webhooksReceived.inc({ outcome });
      return { ok: true as const, outcome };
    },
    async annotatorBelongs(organizationId: number, annotatorId: number) {
      const [row] = await db
        .select({ id: annotators.id })
        .from(annotators)
        .where(and(eq(annotators.id, annotatorId), eq(annotators.organizationId, organizationId)));
      return Boolean(row);
    },
  };
}
export type IngestionService = ReturnType<typeof createIngestionService>;
