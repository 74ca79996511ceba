/**
 * Claim latency on PostgreSQL: 100-item batches from a 1,000,000-item workflow, with 1, 4 and 16
 * concurrent claimers (each claimer is its own annotator; claims of one annotator serialise by design).
 * Each claim is the full `assign` of the service: lock the annotator, SKIP LOCKED item claim, gold mix,
 * assignment + tasks insert, FSM history, delivery job. Prints p50/p95/max, claims per second and the
 * CPU time each claim cost in this process (the service) and in the local PostgreSQL server's processes
 * (read from /proc; 0 when the server runs elsewhere). With 2 cores shared by both, claims per second
 * at 16 claimers is bounded by 2 / (node + postgres CPU per claim).
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/assignment/claim.ts [items]
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import {
  annotators,
  goldTasks,
  labelingConfigs,
  organizations,
  roles,
  workflows,
} from "../../apps/server/src/db/schema/index.js";
import { createJobQueue } from "../../apps/server/src/jobs/queue.js";
import { createLogger } from "../../apps/server/src/lib/logger.js";
import { createAssignmentService } from "../../apps/server/src/modules/assignments/assignments.service.js";
import { createTestDatabase } from "../../apps/server/test/helpers/database.js";

process.env.TEST_DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/postgres";
const ITEMS = Number(process.argv[2] ?? 1_000_000);
const BATCH = 100;
// Claims per scenario: 50 warm-up, 200 by 1 claimer, 4 × 100, 16 × 100; every claim takes BATCH items.
const CLAIMS = 50 + 200 + 4 * 100 + 16 * 100;
if (!(ITEMS >= CLAIMS * BATCH)) {
  console.error(`items: at least ${(CLAIMS * BATCH).toLocaleString()} (the bench claims that many)`);
  process.exit(2);
}

const database = await createTestDatabase();
const { db } = database;
try {
  const [org] = await db.insert(organizations).values({ slug: "bench", name: "bench" }).returning();
  const organizationId = org!.id;
  const [role] = await db.insert(roles).values({ organizationId, name: "labeler" }).returning();
  const [config] = await db
    .insert(labelingConfigs)
    .values({ organizationId, name: "c", configXml: '<View><Image name="image" value="$image"/></View>' })
    .returning();
  for (let g = 0; g < 20; g++) {
    await db.insert(goldTasks).values({
      organizationId,
      labelingConfigId: config!.id,
      s3ImageKey: `gold/${g}.jpg`,
      expectedLabels: [{}],
    });
  }

  async function workflowWith(values: Partial<typeof workflows.$inferInsert>) {
    const [workflow] = await db
      .insert(workflows)
      .values({
        organizationId,
        name: "bench",
        roleId: role!.id,
        labelingConfigId: config!.id,
        s3SourcePath: "images/",
        s3ExportPath: "exports/",
        imagesPerProject: BATCH,
        ...values,
      })
      .returning();
    const started = performance.now();
    await db.execute(sql`insert into items (organization_id, workflow_id, source_key, storage_key)
      select ${organizationId}, ${workflow!.id}, 'img-' || g, 'images/img-' || g || '.jpg'
      from generate_series(1, ${ITEMS}) g`);
    // Settle what the bulk insert left for the server's background work (autovacuum of 1,000,000 new
    // rows, the checkpoint of their WAL), so it does not run during, and get counted in, the claims.
    await db.execute(sql`vacuum (analyze) items`);
    await db.execute(sql`checkpoint`);
    console.log(
      `  ${ITEMS.toLocaleString()} items inserted in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return workflow!;
  }

  const annotatorIds: number[] = [];
  for (let i = 0; i < 16 * 3; i++) {
    const [row] = await db
      .insert(annotators)
      .values({ organizationId, name: `a${i}`, email: `a${i}@bench`, status: "active", roleId: role!.id })
      .returning();
    annotatorIds.push(row!.id);
  }
  const queue = createJobQueue(db);
  const service = createAssignmentService({
    db,
    jobs: { send: (name, payload, options, tx) => queue.send(name, payload, options, tx) },
    log: createLogger("silent"),
  });

  // CPU ticks (1/100 s) used so far by each process of the local PostgreSQL server (Linux /proc).
  const postgresTicks = () => {
    const ticks = new Map<string, number>();
    const pids = existsSync("/proc") ? readdirSync("/proc").filter((name) => /^\d+$/.test(name)) : [];
    for (const pid of pids) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        if (!stat.includes("(postgres)")) continue;
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        ticks.set(pid, Number(fields[11]) + Number(fields[12]));
      } catch {
        // the process ended between the listing and the read
      }
    }
    return ticks;
  };
  // Seconds of CPU the server used between two readings (a process that ended in between is left out).
  const postgresSeconds = (before: Map<string, number>, after: Map<string, number>) => {
    let ticks = 0;
    for (const [pid, now] of after) ticks += now - (before.get(pid) ?? 0);
    return ticks / 100;
  };
  const pct = (sorted: number[], p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  async function run(
    label: string,
    workflowId: number,
    claimers: number,
    claimsEach: number,
    annotatorOffset: number,
  ) {
    const times: number[] = [];
    const cpu = process.cpuUsage();
    const pgBefore = postgresTicks();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: claimers }, async (_, c) => {
        for (let i = 0; i < claimsEach; i++) {
          const t0 = performance.now();
          const assignment = await service.assign(
            organizationId,
            workflowId,
            annotatorIds[annotatorOffset + c]!,
          );
          times.push(performance.now() - t0);
          if (assignment!.taskCount - assignment!.goldTaskCount !== BATCH) throw new Error("short batch");
        }
      }),
    );
    const wall = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const pgUsed = postgresSeconds(pgBefore, postgresTicks());
    times.sort((a, b) => a - b);
    console.log(
      `  ${label.padEnd(44)} claimers ${String(claimers).padStart(2)}  claims ${String(times.length).padStart(4)}  ` +
        `p50 ${pct(times, 50).toFixed(1).padStart(6)} ms  p95 ${pct(times, 95).toFixed(1).padStart(6)} ms  ` +
        `max ${times[times.length - 1]!.toFixed(1).padStart(6)} ms  ${(times.length / wall).toFixed(0).padStart(5)} claims/s  ` +
        `cpu per claim: node ${((used.user + used.system) / 1000 / times.length).toFixed(1)} ms, ` +
        `postgres ${((pgUsed * 1000) / times.length).toFixed(1)} ms`,
    );
    const cpuMs = (used.user + used.system) / 1000 / times.length + (pgUsed * 1000) / times.length;
    return { rate: times.length / wall, p95: pct(times, 95), cpuMs };
  }

  const scenarios: [string, Partial<typeof workflows.$inferInsert>][] = [
    ["shuffled, annotationsPerItem 1, gold 10%", { shuffleImages: true, goldStandardRate: 0.1 }],
    ["source order, annotationsPerItem 2", { shuffleImages: false, annotationsPerItem: 2 }],
  ];
  for (const [label, values] of scenarios) {
    console.log(`${label}:`);
    const workflow = await workflowWith(values);
    // Warm-up (plans, connections), then 1, 4 and 16 claimers, each on annotators of its own.
    await run("warm-up", workflow.id, 1, 50, 0);
    const one = await run(label, workflow.id, 1, 200, 1);
    const four = await run(label, workflow.id, 4, 100, 2);
    const sixteen = await run(label, workflow.id, 16, 100, 16);
    // Ratios within this run (absolute figures move a lot between runs on a shared machine).
    console.log(
      `  ratios to 1 claimer: claims/s ×${(four.rate / one.rate).toFixed(2)} (4), ×${(sixteen.rate / one.rate).toFixed(2)} (16); ` +
        `CPU per claim ×${(four.cpuMs / one.cpuMs).toFixed(2)} (4), ×${(sixteen.cpuMs / one.cpuMs).toFixed(2)} (16); ` +
        `16-claimer p95 / 50 ms target ×${(sixteen.p95 / 50).toFixed(2)}`,
    );
  }
} finally {
  await database.close();
}
