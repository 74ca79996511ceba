/**
 * Agreement V2 backfill end to end on PostgreSQL: 100,000 tasks × 3 annotators (a Choices and a
 * Rating control, so each task stores 3 matrices: overall + 2 dimensions), generated with SQL; then
 * the backfill is triggered through the service and run by the job worker until done. Prints the time
 * and tasks/s. Uses a throw-away database on the server of TEST_DATABASE_URL (default: local postgres).
 *
 *   npx tsx bench/agreement/backfill.ts [tasks=100000] [projects=1]
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { openDatabase } from "../../apps/server/src/db/client.js";
import { migrateDatabase } from "../../apps/server/src/db/migrate.js";
import { createJobCatalog } from "../../apps/server/src/jobs/catalog.js";
import { createJobQueue } from "../../apps/server/src/jobs/queue.js";
import { createWorker } from "../../apps/server/src/jobs/worker.js";
import { createLogger } from "../../apps/server/src/lib/logger.js";
import { createAgreementBackfillService } from "../../apps/server/src/modules/agreement/backfill.service.js";
import { syncDimensions } from "../../apps/server/src/modules/agreement/dimensions.repo.js";
import { createMatrixService } from "../../apps/server/src/modules/agreement/matrices.service.js";

const TASKS = Number(process.argv[2] ?? 100_000);
const PROJECTS = Number(process.argv[3] ?? 1);
const ANNOTATORS = 3;
const CONFIG =
  '<View><Image name="image" value="$image"/><Choices name="label" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices><Rating name="score" toName="image" maxRating="5"/></View>';

const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `lf_bench_agreement_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ url: url.toString(), poolSize: 8 });
const rows = <T>(result: unknown) => (result as { rows: T[] }).rows;

try {
  await migrateDatabase(database);
  const db = database.db;
  const [org] = rows<{ id: number }>(
    await db.execute(sql`insert into organizations (name, slug) values ('bench', 'bench') returning id`),
  );
  const orgId = Number(org!.id);
  const [config] = rows<{ id: number }>(
    await db.execute(sql`insert into labeling_configs (organization_id, name, config_xml)
      values (${orgId}, 'bench', ${CONFIG}) returning id`),
  );
  await db.execute(sql`insert into annotators (organization_id, name, email)
    select ${orgId}, 'Annotator ' || g, 'a' || g || '@bench.org' from generate_series(1, ${ANNOTATORS}) g`);
  const seedStart = performance.now();
  const projectIds: number[] = [];
  for (let p = 0; p < PROJECTS; p++) {
    const [wf] = rows<{ id: number }>(
      await db.execute(sql`insert into workflows (organization_id, name, labeling_config_id, s3_source_path, s3_export_path)
        values (${orgId}, ${`wf-${p}`}, ${Number(config!.id)}, 'in/', 'out/') returning id`),
    );
    const workflowId = Number(wf!.id);
    projectIds.push(workflowId);
    await syncDimensions(db, orgId, workflowId);
    const perProject = Math.ceil(TASKS / PROJECTS);
    await db.execute(sql`insert into items (organization_id, workflow_id, source_key, storage_key)
      select ${orgId}, ${workflowId}, 'k' || g, 'k' || g from generate_series(1, ${perProject}) g`);
    // Each annotator answers cat/dog and 1–5 from a hash of (item, annotator): agreement varies by task.
    await db.execute(sql`insert into annotations (organization_id, item_id, annotator_id, ls_annotation_id, result)
      select ${orgId}, i.id, a.id, i.id,
        jsonb_build_array(
          jsonb_build_object('from_name', 'label', 'to_name', 'image', 'type', 'choices',
            'value', jsonb_build_object('choices', jsonb_build_array(
              case when abs(hashtext(i.id || '-' || a.id)) % 4 = 0 then 'dog' else 'cat' end))),
          jsonb_build_object('from_name', 'score', 'to_name', 'image', 'type', 'rating',
            'value', jsonb_build_object('rating', 3 + abs(hashtext(a.id || '+' || i.id)) % 2)))
      from items i cross join annotators a
      where i.workflow_id = ${workflowId} and a.organization_id = ${orgId}`);
  }
  await db.execute(sql`analyze`);
  const seedSeconds = (performance.now() - seedStart) / 1000;

  const queue = createJobQueue(db);
  const catalog = createJobCatalog();
  const log = createLogger("silent");
  const worker = createWorker({ queue, catalog, log, concurrency: 4, pollIntervalMs: 50 });
  const jobs = {
    catalog,
    async send(
      jobName: string,
      payload: unknown,
      options?: Parameters<typeof queue.send>[2],
      tx?: typeof db,
    ) {
      const id = await queue.send(jobName, payload, options, tx);
      worker.kick();
      return id;
    },
  };
  const matrices = createMatrixService({ db, jobs, log });
  const backfill = createAgreementBackfillService({ db, jobs, matrices });

  const started = performance.now();
  const trigger =
    PROJECTS === 1
      ? await backfill.trigger(orgId, null, { project_id: projectIds[0]! })
      : await backfill.trigger(orgId, null, { all_projects: true });
  await worker.drain(100_000);
  const seconds = (performance.now() - started) / 1000;
  const status = await backfill.status(orgId, {});
  const [stored] = rows<{ n: string }>(await db.execute(sql`select count(*) as n from agreement_matrices`));
  const [mean] = rows<{ m: number }>(
    await db.execute(sql`select avg(task_agreement) as m from agreement_matrices where dimension = ''`),
  );
  console.log(
    `seed: ${TASKS} tasks × ${ANNOTATORS} annotations in ${PROJECTS} project(s): ${seedSeconds.toFixed(1)} s`,
  );
  console.log(
    `backfill: ${trigger.jobs_queued} job(s), ${seconds.toFixed(1)} s, ${Math.round(TASKS / seconds)} tasks/s`,
  );
  console.log(
    `matrices stored: ${stored?.n} (${(Number(stored?.n) / TASKS).toFixed(1)} per task), mean task agreement ${Number(mean?.m).toFixed(3)}`,
  );
  console.log(`org status: ${JSON.stringify("org_status" in status ? status.org_status : status)}`);
  console.log(`target < 60 s: ${seconds < 60 ? "met" : "missed"} (${(60 / seconds).toFixed(2)}× headroom)`);
} finally {
  await database.close();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
