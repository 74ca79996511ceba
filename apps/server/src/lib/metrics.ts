import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * Prometheus metrics of one LabelFleet process, served at GET /metrics. One registry per composed
 * app (no module-level singleton), so tests and several apps in one process do not collide.
 */
export function createMetrics(options: { collectDefaults?: boolean } = {}) {
  const registry = new Registry();
  if (options.collectDefaults) collectDefaultMetrics({ register: registry, prefix: "labelfleet_process_" });
  return {
    registry,
    webhooksReceived: new Counter({
      name: "labelfleet_webhooks_received_total",
      help: "Webhook requests by outcome (ingested, duplicate, unmatched, ignored, unauthorized, malformed)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    annotationsIngested: new Counter({
      name: "labelfleet_annotations_ingested_total",
      help: "Annotation changes stored, by source (webhook, reconcile) and kind (upsert, delete)",
      labelNames: ["source", "kind"] as const,
      registers: [registry],
    }),
    webhookLatency: new Histogram({
      name: "labelfleet_webhook_duration_seconds",
      help: "Time to acknowledge a webhook",
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    webhookBatchSize: new Histogram({
      name: "labelfleet_webhook_batch_size",
      help: "Webhook annotations written per statement and commit (group commit, WEBHOOK_BATCH_MAX)",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    reconcileRuns: new Counter({
      name: "labelfleet_reconcile_runs_total",
      help: "Reconcile runs by outcome",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    reconcileErrors: new Counter({
      name: "labelfleet_reconcile_errors_total",
      help: "Per-instance reconcile errors",
      registers: [registry],
    }),
    jobs: new Gauge({
      name: "labelfleet_jobs",
      help: "Jobs by queue (name) and state, read at scrape time",
      labelNames: ["name", "state"] as const,
      registers: [registry],
    }),
    instances: new Gauge({
      name: "labelfleet_instances",
      help: "Annotator instances by status, read at scrape time",
      labelNames: ["status"] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
