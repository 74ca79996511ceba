/**
 * FSM benchmark on PostgreSQL: 1,000,000 history rows, then
 *   1. p50/p95 of a filtered, paged history query (the API's repo: state filter, ordering, page of 50),
 *   2. transitions/s with 16 concurrent writers (applyTransition, each on its own entity).
 * Uses a throw-away database on the server of TEST_DATABASE_URL (default: local postgres).
 *
 *   npx tsx bench/fsm/history.ts [rows=1000000]
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { openDatabase } from "../../apps/server/src/db/client.js";
import { migrateDatabase } from "../../apps/server/src/db/migrate.js";
import { createHistoryRepo } from "../../apps/server/src/modules/fsm/history.repo.js";
import { applyTransition } from "../../apps/server/src/modules/fsm/transition.js";

const ROWS = Number(process.argv[2] ?? 1_000_000);
const ENTITIES = 20_000; // 50 rows per task on average
const QUERIES = 500;
const WRITERS = 16;
const WRITE_MS = 5000;

const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `lf_bench_fsm_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ url: url.toString(), poolSize: WRITERS + 2 });

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

try {
  await migrateDatabase(database);
  const db = database.db;
  const [org] = (
    (await db.execute(
      sql`insert into organizations (name, slug) values ('bench', 'bench') returning id`,
    )) as unknown as {
      rows: { id: number }[];
    }
  ).rows;
  const orgId = Number(org!.id);
  await db.execute(sql`insert into workflows (organization_id, name, s3_source_path, s3_export_path)
    values (${orgId}, 'wf', 's3://b/in/', 's3://b/out/')`);
  let started = performance.now();
  await db.execute(sql`insert into items (organization_id, workflow_id, source_key, storage_key)
    select ${orgId}, (select id from workflows limit 1), 'k' || g, 'k' || g from generate_series(1, ${ENTITIES}) g`);
  // UUIDv7-shaped ids in time order: 48-bit ms timestamp (one row per ms) + version + random tail.
  const states = ["CREATED", "IN_PROGRESS", "COMPLETED", "IN_REVIEW", "ACCEPTED", "REJECTED", "REWORK"];
  await db.execute(sql`insert into fsm_state_history
      (id, organization_id, entity_name, entity_id, state, previous_state, transition_name, context_data, created_at)
    select
      (lpad(to_hex(1700000000000 + g), 12, '0') || '7' || substr(md5(g::text), 1, 3) || '8' || substr(md5(g::text), 4, 15))::uuid,
      ${orgId}, 'task', ((g % ${ENTITIES}) + 1)::text,
      (${sql.raw(`array['${states.join("','")}']`)})[(g % 7) + 1],
      (${sql.raw(`array['${states.join("','")}']`)})[((g + 6) % 7) + 1],
      'bench', '{}'::jsonb, to_timestamp((1700000000000 + g) / 1000.0)
    from generate_series(1, ${ROWS}) g`);
  await db.execute(sql`analyze fsm_state_history`);
  const seedSeconds = (performance.now() - started) / 1000;

  const repo = createHistoryRepo(db);
  const latencies: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const entityId = 1 + Math.floor(Math.random() * ENTITIES);
    const t0 = performance.now();
    await repo.page(
      orgId,
      "task",
      entityId,
      { state: i % 2 ? "completed" : undefined, ordering: i % 3 ? "-id" : "created_at" },
      { limit: 50, offset: i % 4 === 0 ? 10 : 0 },
    );
    latencies.push(performance.now() - t0);
  }

  // Writers: each cycles its own item through assign → release (two transitions per loop).
  let transitions = 0;
  started = performance.now();
  const deadline = started + WRITE_MS;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const entityId = w + 1;
      while (performance.now() < deadline) {
        for (const transition of ["assign", "release"]) {
          await applyTransition(db, { organizationId: orgId, entity: "task", entityId, transition });
          transitions++;
        }
      }
    }),
  );
  const writeSeconds = (performance.now() - started) / 1000;

  console.log(
    `fsm_state_history rows: ${ROWS.toLocaleString("en")} over ${ENTITIES} entities (seeded in ${seedSeconds.toFixed(1)} s)`,
  );
  console.log(
    `history query (filtered, paged, ${QUERIES} runs): p50 ${percentile(latencies, 50).toFixed(2)} ms, p95 ${percentile(latencies, 95).toFixed(2)} ms (target < 50 ms: ${(50 / percentile(latencies, 95)).toFixed(1)}x headroom)`,
  );
  console.log(
    `transitions with ${WRITERS} concurrent writers: ${(transitions / writeSeconds).toFixed(0)}/s (${transitions} in ${writeSeconds.toFixed(1)} s)`,
  );
} finally {
  await database.close();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
