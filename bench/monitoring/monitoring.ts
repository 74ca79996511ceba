/**
 * Monitoring and quality benchmark on PostgreSQL: 10,000,000 annotation events over 1,000 annotators
 * and 90 days (plus 500,000 gold results, 1,000,000 annotations of which 30% reviewed, 50,000
 * rejections), then p50/p95 of GET /api/monitoring, GET /api/monitoring/annotator/:id and
 * GET /api/quality through the real app (auth, validation, handlers) in-process.
 * Uses a throw-away database on the server of TEST_DATABASE_URL (default: local postgres), dropped at
 * the end.
 *
 *   npx tsx bench/monitoring/monitoring.ts [events=10000000] [requests=200] [all|quality]
 *
 * `quality` seeds the quality data of a 10,000,000-event fleet (gold results, annotations, rejections)
 * but no events, and measures /api/quality only (the events take most of the 25 minutes of seeding).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { seedAdmin } from "../../apps/server/src/boot.js";
import { loadConfig } from "../../apps/server/src/config/config.js";
import { openDatabase } from "../../apps/server/src/db/client.js";
import { migrateDatabase } from "../../apps/server/src/db/migrate.js";
import { createApp } from "../../apps/server/src/http/app.js";
import { createLogger } from "../../apps/server/src/lib/logger.js";
import { createServices } from "../../apps/server/src/services.js";

const NOMINAL_EVENTS = Number(process.argv[2] ?? 10_000_000);
const REQUESTS = Number(process.argv[3] ?? 200);
const QUALITY_ONLY = process.argv[4] === "quality";
const EVENTS = QUALITY_ONLY ? 0 : NOMINAL_EVENTS;
const ANNOTATORS = 1000;
const BATCH = 500_000;
const GOLD_RESULTS = Math.round(NOMINAL_EVENTS / 20);
const ANNOTATIONS = Math.round(NOMINAL_EVENTS / 10);
const REJECTIONS = Math.round(NOMINAL_EVENTS / 200);

const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `lf_bench_monitoring_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ url: url.toString(), poolSize: 10 });
const dataDir = mkdtempSync(path.join(tmpdir(), "lf-bench-monitoring-"));

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

try {
  await migrateDatabase(database);
  const config = loadConfig({
    NODE_ENV: "test",
    LABELFLEET_DATA_DIR: dataDir,
    AUTH_SECRET: randomBytes(32).toString("hex"),
    LOG_LEVEL: "silent",
  });
  const services = createServices({
    config,
    database,
    log: createLogger("silent"),
    secret: config.auth.secret!,
    version: "bench",
  });
  await seedAdmin(services);
  const app = createApp(services);
  const db = database.db;
  const orgId = Number(
    rowsOf<{ id: number }>(await db.execute(sql`select id from organizations limit 1`))[0]!.id,
  );

  let started = performance.now();
  await db.execute(sql`insert into annotators (organization_id, name, email, status, started_at)
    select ${orgId}, 'Annotator ' || g, 'a' || g || '@bench.io',
      case when g % 10 = 0 then 'stopped' else 'active' end, now() - interval '5 hours'
    from generate_series(1, ${ANNOTATORS}) g`);
  const [first] = rowsOf<{ lo: number }>(await db.execute(sql`select min(id) as lo from annotators`));
  const lo = Number(first!.lo);
  await db.execute(sql`insert into labeling_configs (organization_id, name, config_xml) values (${orgId}, 'c',
    '<View><Image name="image" value="$image"/><Choices name="label" toName="image"><Choice value="cat"/></Choices></View>')`);
  await db.execute(sql`insert into workflows (organization_id, name, labeling_config_id, s3_source_path, s3_export_path)
    select ${orgId}, 'wf ' || g, (select id from labeling_configs limit 1), 'in/', 'out/' from generate_series(1, 4) g`);
  await db.execute(sql`insert into gold_tasks (organization_id, name, s3_image_key, expected_labels, labeling_config_id)
    select ${orgId}, 'Gold ' || g, 'gold/' || g, '[]', (select id from labeling_configs limit 1)
    from generate_series(1, 50) g`);
  const wf = rowsOf<{ id: number }>(await db.execute(sql`select id from workflows order by id`)).map((r) =>
    Number(r.id),
  );
  await db.execute(sql`insert into items (organization_id, workflow_id, source_key, storage_key)
    select ${orgId}, (array[${sql.raw(wf.join(","))}])[(g % 4) + 1], 'k' || g, 'k' || g from generate_series(1, 100000) g`);
  await db.execute(sql`insert into assignments (organization_id, workflow_id, annotator_id, status, task_count)
    select ${orgId}, (array[${sql.raw(wf.join(","))}])[(g % 4) + 1], ${lo} + (g % ${ANNOTATORS}),
      (array['completed','completed','completed','in_progress','cancelled'])[(g % 5) + 1], 50
    from generate_series(1, 20000) g`);
  console.log(`seed: fleet, workflows, 100,000 items, 20,000 assignments in ${seconds(started)} s`);

  // Events: 90% created (the monitoring numbers), 10% updates; lead times 0–90 s, 2% without one.
  started = performance.now();
  for (let start = 1; start <= EVENTS; start += BATCH) {
    const end = Math.min(EVENTS, start + BATCH - 1);
    await db.execute(sql`insert into annotation_events
        (organization_id, annotator_id, assignment_id, event_key, event_type, ls_task_id, time_spent_ms, created_at)
      select ${orgId}, ${lo} + (g % ${ANNOTATORS}), null, 'b:' || g,
        case when g % 10 = 0 then 'annotation_updated' else 'annotation_created' end, g,
        case when g % 50 = 0 then null else (random() * 90000)::real end,
        now() - random() * interval '90 days'
      from generate_series(${start}::bigint, ${end}::bigint) g`);
    process.stdout.write(`\r  events ${end.toLocaleString()} (${seconds(started)} s)`);
  }
  console.log(
    `\nseed: ${EVENTS.toLocaleString()} annotation events (with the roll-up trigger) in ${seconds(started)} s`,
  );

  started = performance.now();
  await db.execute(sql`insert into annotations (organization_id, item_id, annotator_id, ls_annotation_id, result, state,
      created_at, updated_at)
    select ${orgId}, (select min(id) from items) + (g % 100000), ${lo} + (g % ${ANNOTATORS}), g, '[]',
      (array['CREATED','CREATED','ACCEPTED','CREATED','REJECTED','CREATED','ACCEPTED','CREATED','CREATED','CREATED'])[(g % 10) + 1],
      t, t
    from (select g, now() - random() * interval '90 days' as t from generate_series(1, ${ANNOTATIONS}) g) s`);
  await db.execute(sql`insert into gold_results (organization_id, gold_task_id, annotator_id, workflow_id, annotation_id,
      score, evaluated_at)
    select ${orgId}, (select min(id) from gold_tasks) + (g % 50), ${lo} + (g % ${ANNOTATORS}),
      (array[${sql.raw(wf.join(","))}])[(g % 4) + 1], g, random(), now() - random() * interval '90 days'
    from generate_series(1, ${GOLD_RESULTS}) g`);
  await db.execute(sql`insert into rejections (organization_id, original_annotator_id, reviewer_annotator_id,
      original_assignment_id, workflow_id, image_key, reason, action_taken, created_at)
    select ${orgId}, ${lo} + (g % ${ANNOTATORS}), ${lo} + ((g * 7) % ${ANNOTATORS}),
      (select min(id) from assignments) + (g % 20000), ${wf[0]!}, 'k' || g, 'too loose', 'none',
      now() - random() * interval '90 days'
    from generate_series(1, ${REJECTIONS}) g`);
  console.log(
    `seed: ${ANNOTATIONS.toLocaleString()} annotations, ${GOLD_RESULTS.toLocaleString()} gold results, ${REJECTIONS.toLocaleString()} rejections in ${seconds(started)} s`,
  );
  started = performance.now();
  await db.execute(sql`vacuum analyze`);
  console.log(`vacuum analyze in ${seconds(started)} s`);
  const [size] = rowsOf<{ events: string; rollups: string; n: string }>(
    await db.execute(sql`select pg_size_pretty(pg_total_relation_size('annotation_events')) as events,
      pg_size_pretty(pg_total_relation_size('annotation_event_rollups')) as rollups,
      (select count(*) from annotation_event_rollups) as n`),
  );
  console.log(
    `annotation_events ${size!.events}; roll-up ${Number(size!.n).toLocaleString()} rows, ${size!.rollups}`,
  );

  // Sign in through the real credentials flow.
  const csrf = (await (await app.request("/api/auth/csrf")).json()) as { csrfToken: string };
  const signIn = await app.request("/api/auth/callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      email: "admin@fleet.local",
      password: "admin",
      csrfToken: csrf.csrfToken,
    }).toString(),
  });
  const cookie = signIn.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error(`sign-in failed: ${signIn.status}`);

  const measure = async (label: string, urlOf: (i: number) => string) => {
    const times: number[] = [];
    for (let i = -10; i < REQUESTS; i++) {
      const t0 = performance.now();
      const response = await app.request(urlOf(i), { headers: { cookie } });
      await response.text();
      if (response.status !== 200) throw new Error(`${urlOf(i)} → ${response.status}`);
      if (i >= 0) times.push(performance.now() - t0);
    }
    const p50 = percentile(times, 50);
    const p95 = percentile(times, 95);
    console.log(
      `| ${label} | ${REQUESTS} | ${p50.toFixed(1)} ms | **${p95.toFixed(1)} ms** | ${(200 / p95).toFixed(1)}× |`,
    );
  };
  const zones = ["UTC", "Europe/Paris", "Asia/Kolkata", "America/New_York"];
  console.log("\n| endpoint | requests | p50 | p95 | headroom vs 200 ms |\n|---|---|---|---|---|");
  if (!QUALITY_ONLY) {
    await measure(
      "GET /api/monitoring (default: today + last 24 h)",
      (i) => `/api/monitoring?tz=${zones[Math.abs(i) % 4]}`,
    );
    await measure("GET /api/monitoring (7-day range)", (i) => {
      const to = new Date(Date.now() - (Math.abs(i) % 48) * 1_800_000);
      return `/api/monitoring?from=${new Date(to.getTime() - 7 * 86_400_000).toISOString()}&to=${to.toISOString()}`;
    });
    await measure(
      "GET /api/monitoring/annotator/:id",
      (i) =>
        `/api/monitoring/annotator/${lo + ((Math.abs(i) * 37) % ANNOTATORS)}?tz=${zones[Math.abs(i) % 4]}`,
    );
    await measure("GET /api/monitoring/annotator/:id (31-day range)", (i) => {
      const to = new Date(Date.now() - (Math.abs(i) % 48) * 1_800_000);
      return `/api/monitoring/annotator/${lo + ((Math.abs(i) * 37) % ANNOTATORS)}?from=${new Date(to.getTime() - 31 * 86_400_000).toISOString()}&to=${to.toISOString()}`;
    });
  }
  await measure("GET /api/quality (all time)", () => "/api/quality");
  await measure(
    "GET /api/quality?workflowId (one of 4)",
    (i) => `/api/quality?workflowId=${wf[Math.abs(i) % 4]}`,
  );
  await measure(
    "GET /api/quality (last 7 days)",
    () => `/api/quality?from=${new Date(Date.now() - 7 * 86_400_000).toISOString()}`,
  );
} finally {
  await database.close();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
  rmSync(dataDir, { recursive: true, force: true });
}
