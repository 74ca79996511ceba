/**
 * Fleet benchmark, process backend (embedded mode):
 *  1. provisions N annotators concurrently through the real lifecycle (API service → start job →
 *     LS simulator child → readiness → active) and reports the time until all are active and the
 *     resident memory per instance;
 *  2. measures one health-check round over M active instances (simulated inspect results, real LS
 *     `/health` probes against one live simulator) and reports its cost per instance.
 * Prints figures measured in this run only.
 *
 *   npx tsx bench/fleet/provision.ts [instances=50] [healthInstances=200]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inArray } from "drizzle-orm";
import type { InstanceBackend } from "../../apps/server/src/backends/instance-backend.js";
import { loadConfig } from "../../apps/server/src/config/config.js";
import { openDatabase } from "../../apps/server/src/db/client.js";
import { migrateDatabase } from "../../apps/server/src/db/migrate.js";
import { annotators } from "../../apps/server/src/db/schema/index.js";
import { randomToken } from "../../apps/server/src/lib/crypto.js";
import { createLogger } from "../../apps/server/src/lib/logger.js";
import { updateAnnotator } from "../../apps/server/src/modules/annotators/annotators.repo.js";
import {
  createHealthService,
  probeLabelStudioHealth,
} from "../../apps/server/src/modules/annotators/health.service.js";
import { applyTransitionMany } from "../../apps/server/src/modules/fsm/transition.js";
import { createServices } from "../../apps/server/src/services.js";

const N = Number(process.argv[2] ?? 50);
const M = Number(process.argv[3] ?? 200);
const ROUNDS = 5;

const rssKb = (pid: number) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) : Number.NaN;
};
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "lf-bench-fleet-"));
  const config = loadConfig({
    LABELFLEET_DATA_DIR: dataDir,
    AUTH_SECRET: randomToken(32),
    LOG_LEVEL: "silent",
    // Every start waits for its instance: give each one a worker slot so they really run at once.
    WORKER_CONCURRENCY: String(N),
    JOB_POLL_INTERVAL_MS: "50",
    INSTANCE_START_TIMEOUT_SECONDS: "600",
  });
  // The process backend is the embedded mode: in-memory PGlite, as a laptop install would run it.
  const database = await openDatabase({});
  await migrateDatabase(database);
  const services = createServices({
    config,
    database,
    log: createLogger("silent"),
    secret: config.auth.secret!,
    version: "bench",
  });
  const org = await services.organizations.findOrCreateOrganization("default");
  const inputs = Array.from({ length: N }, (_, i) => ({
    name: `Bench ${i}`,
    email: `bench-${i}@example.com`,
  }));
  const { annotators: created } = await services.annotators.createMany(org.id, inputs);
  const ids = created.map((a) => a.id);

  console.log(`fleet benchmark: ${N} annotators, process backend, ${database.kind}, ${process.arch}`);
  const t0 = performance.now();
  for (const id of ids) await services.fleet.lifecycle.requestStart(org.id, id, null);
  services.jobs.worker.start();
  let active = 0;
  let errors = 0;
  while (active + errors < N) {
    await new Promise((r) => setTimeout(r, 100));
    const rows = await services.db
      .select({ status: annotators.status })
      .from(annotators)
      .where(inArray(annotators.id, ids));
    active = rows.filter((r) => r.status === "active").length;
    errors = rows.filter((r) => r.status === "error").length;
  }
  const allActiveS = (performance.now() - t0) / 1000;
  const rows = await services.db.select().from(annotators).where(inArray(annotators.id, ids));
  const rss = rows.map((r) => rssKb(r.backendData?.pid as number) / 1024);
  console.log(
    `  time to all active: ${allActiveS.toFixed(1)} s  (${(N / allActiveS).toFixed(2)} instances/s, ${errors} errors)`,
  );
  console.log(
    `  RSS per instance:   median ${median(rss).toFixed(1)} MiB, max ${Math.max(...rss).toFixed(1)} MiB, total ${(rss.reduce((a, b) => a + b, 0) / 1024).toFixed(2)} GiB`,
  );
  const server = process.memoryUsage().rss / 1024 / 1024;
  console.log(`  LabelFleet RSS with ${N} instances: ${server.toFixed(0)} MiB`);

  // The health rounds below run on their own: no worker acts on what they find (restarts).
  await services.jobs.worker.stop();
  // Health-check loop cost: M active annotators; inspect is simulated, /health is a real probe of one live instance.
  const probeUrl = rows[0]?.instanceUrl as string;
  const healthIds: number[] = [];
  const extra = Array.from({ length: Math.max(0, M - N) }, (_, i) => ({
    name: `Health ${i}`,
    email: `health-${i}@example.com`,
  }));
  for (let i = 0; i < extra.length; i += 100) {
    const batch = await services.annotators.createMany(org.id, extra.slice(i, i + 100));
    healthIds.push(...batch.annotators.map((a) => a.id));
  }
  for (const transition of ["start", "activate"]) {
    await applyTransitionMany(services.db, {
      organizationId: org.id,
      entity: "annotator",
      entityIds: healthIds,
      transition,
    });
  }
  for (const id of healthIds) await updateAnnotator(services.db, id, { instanceUrl: probeUrl });
  const simulated: InstanceBackend = {
    ...services.fleet.backend,
    inspect: async () => ({ state: "running", restarts: 0 }),
  };
  const health = createHealthService({
    db: services.db,
    backend: simulated,
    config,
    log: services.log,
    sendJob: services.jobs.send,
    lifecycle: services.fleet.lifecycle,
    probe: probeLabelStudioHealth,
  });
  const durations: number[] = [];
  let cpuMs = 0;
  let checked = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const report = await health.checkAll();
    durations.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuMs += (used.user + used.system) / 1000;
    checked = report.checked;
    if (report.failed.length > 0) {
      const [first] = await services.db
        .select({ lastError: annotators.lastError })
        .from(annotators)
        .where(inArray(annotators.id, report.failed));
      console.log(`  (round ${round}: ${report.failed.length} failed, e.g. ${first?.lastError})`);
    }
  }
  const round = median(durations);
  console.log(`health check over ${checked} instances (${ROUNDS} rounds):`);
  console.log(
    `  one round: median ${round.toFixed(0)} ms (${((round / checked) * 1000).toFixed(0)} µs per instance), server CPU ${(cpuMs / ROUNDS).toFixed(0)} ms per round`,
  );
  console.log(
    `  at the default 30 s interval: ${((round / 30_000) * 100).toFixed(2)} % of wall time, ${((cpuMs / ROUNDS / 30_000) * 100).toFixed(2)} % of one core`,
  );

  const stopStart = performance.now();
  await services.fleet.backend.close();
  console.log(`  stopping ${N} instances: ${((performance.now() - stopStart) / 1000).toFixed(1)} s`);
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
