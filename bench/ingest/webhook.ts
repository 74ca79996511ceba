/**
 * Webhook ingestion benchmark on PostgreSQL (issue 5): LabelFleet serves POST /api/webhook on a
 * loopback port; a second process (load.ts) posts ANNOTATION_CREATED webhooks from 32 keep-alive
 * connections for a bounded time (10% of them twice). In the same run, the same process shape runs a
 * bare `INSERT ... ON CONFLICT DO NOTHING` of the same event row through `pg` at the same
 * concurrency. The two alternate in `rounds` rounds (bare, webhook, bare, webhook, …) so that a
 * change in the machine's load during the run weighs on both sides alike. Prints rates, p50/p99, the
 * ratio, and lost/duplicated events counted afterwards. Uses a throw-away database on the server of
 * TEST_DATABASE_URL (default: local postgres).
 *
 *   npx tsx bench/ingest/webhook.ts [seconds=12] [connections=32] [rounds=3]
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import pg from "pg";
import { loadConfig } from "../../apps/server/src/config/config.js";
import { openDatabase } from "../../apps/server/src/db/client.js";
import { migrateDatabase } from "../../apps/server/src/db/migrate.js";
import { createApp } from "../../apps/server/src/http/app.js";
import { createLogger } from "../../apps/server/src/lib/logger.js";
import { serveWithInstanceProxy } from "../../apps/server/src/routing/serve.js";
import { createServices } from "../../apps/server/src/services.js";
import { freePort } from "../../apps/server/test/helpers/listening-app.js";

const SECONDS = Number(process.argv[2] ?? 12);
const CONNECTIONS = Number(process.argv[3] ?? 32);
const ROUNDS = Number(process.argv[4] ?? 3);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1 && ROUNDS <= 4)) throw new Error("rounds: 1 to 4");
const TASKS = 5000; // per annotator's assignment: more than one connection posts in a bounded run

const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `lf_bench_ingest_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const dataDir = mkdtempSync(path.join(tmpdir(), "lf-bench-ingest-"));
const port = await freePort();
const config = loadConfig({
  NODE_ENV: "test",
  LOG_LEVEL: "silent",
  LABELFLEET_DATA_DIR: dataDir,
  AUTH_SECRET: randomBytes(32).toString("hex"),
  DATABASE_URL: url.toString(),
  PORT: String(port),
  // Group-commit knobs (docs/configuration.md), passed through to compare settings.
  ...(process.env.WEBHOOK_BATCH_MAX ? { WEBHOOK_BATCH_MAX: process.env.WEBHOOK_BATCH_MAX } : {}),
  ...(process.env.WEBHOOK_BATCH_LANES ? { WEBHOOK_BATCH_LANES: process.env.WEBHOOK_BATCH_LANES } : {}),
});
// Same pool size as the bare-insert side (load.ts: one pg.Pool of `connections`): like with like.
const database = await openDatabase({ url: url.toString(), poolSize: CONNECTIONS });
const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;
const loadScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "load.ts");

/** Runs load.ts in a child process (asynchronously: this process serves the webhooks meanwhile). */
async function runLoad(spec: Record<string, unknown>) {
  const child = spawn(process.execPath, ["--import", "tsx", loadScript, JSON.stringify(spec)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`load failed (${code}): ${stderr}`);
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as {
    requests: number;
    acknowledged: number;
    duplicatesSent: number;
    errors: number;
    seconds: number;
    rate: number;
    p50: number;
    p99: number;
    ackedIds: number[];
    latencies: number[];
  };
}

type LoadResult = Awaited<ReturnType<typeof runLoad>>;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** The rounds of one side as one measurement: totals over total time, percentiles over all requests. */
function combine(results: LoadResult[]) {
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  const acknowledged = results.reduce((sum, r) => sum + r.acknowledged, 0);
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    rate: acknowledged / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    acknowledged,
    duplicatesSent: results.reduce((sum, r) => sum + r.duplicatesSent, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    ackedIds: results.flatMap((r) => r.ackedIds),
    perRound: results.map((r) => Math.round(r.rate)),
  };
}

/** LS annotation ids (per connection) and task offset of the in-process phase: apart from HTTP's. */
const IN_PROCESS_ID_BASE = 500_000;
/** LS annotation ids of the uncounted warm-up round (its events are checked for loss too). */
const WARM_UP_ID_BASE = 400_000;

/**
 * The same webhooks without HTTP: `connections` loops call `ingestion.ingestWebhook` (parsed body,
 * same authentication and statement) in this process for the same time; the decomposition of the
 * HTTP rate into database + service work and HTTP overhead.
 */
async function inProcess(
  services: ReturnType<typeof createServices>,
  annotators: { id: number; secret: string; lsProjectId: number; taskBase: number; tasks: number }[],
) {
  const latencies: number[] = [];
  let acknowledged = 0;
  const started = performance.now();
  const deadline = started + (SECONDS * 1000) / ROUNDS;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, w) => {
      const a = annotators[w % annotators.length]!;
      for (let n = 0; performance.now() < deadline; n++) {
        const id = w * 1_000_000 + IN_PROCESS_ID_BASE + n + 1;
        const task = a.taskBase + ((a.tasks / 2 + n) % a.tasks);
        const event = {
          action: "ANNOTATION_CREATED",
          projectId: a.lsProjectId,
          annotations: [
            {
              id,
              task,
              project: a.lsProjectId,
              completed_by: 1,
              completed_by_user: null,
              ground_truth: false,
              result: [
                { from_name: "label", to_name: "image", type: "choices", value: { choices: ["cat"] } },
              ],
              was_cancelled: false,
              lead_time: 3.2,
              created_at: "2026-04-06T12:00:00Z",
              updated_at: "2026-04-06T12:00:00Z",
            },
          ],
          tasks: [],
          deletedAnnotationIds: null,
          deletedTaskIds: null,
        };
        const t0 = performance.now();
        const result = await services.ingestion.ingestWebhook(a.id, a.secret, event);
        latencies.push(performance.now() - t0);
        if (result.outcome === "ingested") acknowledged++;
      }
    }),
  );
  const sorted = latencies.sort((x, y) => x - y);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return { rate: acknowledged / ((performance.now() - started) / 1000), p50: at(50), p99: at(99) };
}

try {
  await migrateDatabase(database);
  const services = createServices({
    config,
    database,
    log: createLogger("silent"),
    secret: config.auth.secret!,
    version: "bench",
  });
  const db = database.db;
  const org = await services.organizations.findOrCreateOrganization("bench");
  const [workflow] = rowsOf<{ id: number }>(
    await db.execute(sql`insert into workflows (organization_id, name, s3_source_path, s3_export_path)
      values (${org.id}, 'bench', 'in/', 'out/') returning id`),
  );
  await db.execute(sql`insert into items (organization_id, workflow_id, source_key, storage_key)
    select ${org.id}, ${workflow!.id}, 'k' || g, 'k' || g from generate_series(1, ${TASKS * CONNECTIONS}) g`);
  const annotators = [];
  for (let k = 0; k < CONNECTIONS; k++) {
    const secret = randomBytes(16).toString("hex");
    const [annotator] = rowsOf<{ id: number }>(
      await db.execute(sql`insert into annotators (organization_id, name, email, status, webhook_secret_enc)
        values (${org.id}, ${`a${k}`}, ${`a${k}@bench`}, 'active', ${services.secrets.seal(secret)}) returning id`),
    );
    const lsProjectId = 1000 + k;
    const [assignment] = rowsOf<{ id: number }>(
      await db.execute(sql`insert into assignments (organization_id, workflow_id, annotator_id, ls_project_id, task_count, status)
        values (${org.id}, ${workflow!.id}, ${annotator!.id}, ${lsProjectId}, ${TASKS}, 'in_progress') returning id`),
    );
    const taskBase = k * 100_000;
    await db.execute(sql`insert into assignment_tasks (assignment_id, annotator_id, item_id, position, ls_task_id)
      select ${assignment!.id}, ${annotator!.id}, s.id, s.n - 1, ${taskBase} + s.n - 1
      from (select b.id, row_number() over (order by b.id) as n
        from (select i.id from items i where i.workflow_id = ${workflow!.id}
          order by i.id offset ${k * TASKS} limit ${TASKS}) b) s`);
    annotators.push({
      id: annotator!.id,
      secret,
      assignmentId: assignment!.id,
      lsProjectId,
      taskBase,
      tasks: TASKS,
    });
  }
  await db.execute(sql`vacuum analyze`);

  const app = createApp(services);
  // The production server (main.ts): instance proxy, then the webhook fast path, then Hono.
  const server = serveWithInstanceProxy({
    fetch: app.fetch,
    port,
    hostname: "127.0.0.1",
    proxy: services.routing.createProxy(),
  });
  const common = {
    connections: CONNECTIONS,
    durationMs: (SECONDS * 1000) / ROUNDS,
    organizationId: org.id,
    annotators,
  };

  // Warm-up, not counted: JIT, pooled connections and their prepared statements, on both sides.
  const warm = { ...common, durationMs: 1500, idBase: WARM_UP_ID_BASE };
  await runLoad({ ...warm, mode: "insert", target: url.toString() });
  const warmUp = await runLoad({ ...warm, mode: "webhook", target: `http://127.0.0.1:${port}` });

  const bareRounds: LoadResult[] = [];
  const hookRounds: LoadResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const idBase = round * 100_000; // below WARM_UP_ID_BASE for up to 4 rounds
    bareRounds.push(await runLoad({ ...common, idBase, mode: "insert", target: url.toString() }));
    hookRounds.push(
      await runLoad({ ...common, idBase, mode: "webhook", target: `http://127.0.0.1:${port}` }),
    );
  }
  const bare = combine(bareRounds);
  const hooks = combine(hookRounds);
  server.close();
  const direct = await inProcess(services, annotators);

  // Counted afterwards: every acknowledged webhook stored exactly once, nothing else stored.
  const stored = rowsOf<{ id: number | string }>(
    await db.execute(
      sql`select ls_annotation_id as id from annotation_events
        where event_key not like 'bare:%' and ls_annotation_id % 1000000 < ${IN_PROCESS_ID_BASE}`,
    ),
  ).map((r) => Number(r.id));
  const storedSet = new Set(stored);
  const lost = [...hooks.ackedIds, ...warmUp.ackedIds].filter((id) => !storedSet.has(id)).length;
  const duplicated = stored.length - storedSet.size;
  const [annotationCount] = rowsOf<{ n: number | string }>(
    await db.execute(
      sql`select count(*) as n from annotations where ls_annotation_id % 1000000 < ${IN_PROCESS_ID_BASE}`,
    ),
  );
  const round = (v: number, d = 1) => Number(v.toFixed(d));
  console.log(
    JSON.stringify(
      {
        seconds: SECONDS,
        connections: CONNECTIONS,
        rounds: ROUNDS,
        webhook: {
          perSecond: round(hooks.rate),
          p50Ms: round(hooks.p50, 2),
          p99Ms: round(hooks.p99, 2),
          acknowledged: hooks.acknowledged,
          duplicatesSent: hooks.duplicatesSent,
          errors: hooks.errors,
          perRound: hooks.perRound,
        },
        bareInsert: {
          perSecond: round(bare.rate),
          p50Ms: round(bare.p50, 2),
          p99Ms: round(bare.p99, 2),
          errors: bare.errors,
          perRound: bare.perRound,
        },
        inProcess: {
          perSecond: round(direct.rate),
          p50Ms: round(direct.p50, 2),
          p99Ms: round(direct.p99, 2),
        },
        ratio: round(hooks.rate / bare.rate, 3),
        inProcessRatio: round(direct.rate / bare.rate, 3),
        stored: stored.length,
        warmUpAcknowledged: warmUp.acknowledged,
        annotations: Number(annotationCount?.n ?? 0),
        lost,
        duplicated,
      },
      null,
      2,
    ),
  );
} finally {
  await database.close();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
  rmSync(dataDir, { recursive: true, force: true });
}
