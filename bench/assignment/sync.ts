/**
 * Item sync throughput on PostgreSQL: a workflow's source prefix listed page by page into items
 * (one multi-row INSERT … ON CONFLICT DO NOTHING + one progress update per 1,000-key page).
 * - a generated listing of N keys (default 1,000,000): the database side of the sync, first run and
 *   an idempotent re-run (every key already an item);
 * - a local storage folder of 20,000 files (directory walk + stat per key);
 * - s3rver with 2,000 objects (ListObjectsV2 over HTTP; s3rver itself is slow, real S3 lists 1,000
 *   keys per request).
 * Prints keys per second and ratios.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/assignment/sync.ts [keys]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { organizations, workflows } from "../../apps/server/src/db/schema/index.js";
import { createLogger } from "../../apps/server/src/lib/logger.js";
import { createItemSyncService } from "../../apps/server/src/modules/items/item-sync.service.js";
import { createLocalStorage } from "../../apps/server/src/storage/local.storage.js";
import type { ListOptions, ObjectStorage } from "../../apps/server/src/storage/object-storage.js";
import { createS3Storage } from "../../apps/server/src/storage/s3.storage.js";
import { createUrlSigner } from "../../apps/server/src/storage/signed-urls.js";
import { startS3rver } from "../../apps/server/src/storage/testing/s3rver.js";
import { createTestDatabase } from "../../apps/server/test/helpers/database.js";

process.env.TEST_DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/postgres";
const KEYS = Number(process.argv[2] ?? 1_000_000);
const LOCAL_FILES = 20_000;
const S3_OBJECTS = 2_000;

/** A listing of `count` keys computed on the fly, in key order, like S3 would page it. */
function generatedListing(prefix: string, count: number): ObjectStorage {
  const keyOf = (i: number) => `${prefix}${String(i).padStart(8, "0")}.jpg`;
  return {
    kind: "s3",
    async list(_prefix: string, options?: ListOptions) {
      const start = options?.cursor ? Number(options.cursor.slice(prefix.length, prefix.length + 8)) + 1 : 0;
      const end = Math.min(count, start + (options?.pageSize ?? 1000));
      const objects = Array.from({ length: end - start }, (_, k) => ({ key: keyOf(start + k), size: 1 }));
      return { objects, nextCursor: end < count ? keyOf(end - 1) : null };
    },
    presignGet: async (key) => key,
    put: async () => {},
    get: async () => ({ body: Buffer.alloc(0), contentType: "image/jpeg" }),
    exists: async () => true,
  };
}

const database = await createTestDatabase();
const { db } = database;
const log = createLogger("silent");
const work = mkdtempSync(path.join(tmpdir(), "lf-bench-sync-"));
const results: Record<string, number> = {};

async function run(
  label: string,
  storage: ObjectStorage,
  prefix: string,
  expected: number,
  workflowId?: number,
) {
  const [org] = await db.select({ id: organizations.id }).from(organizations).limit(1);
  let id = workflowId;
  if (id === undefined) {
    const [row] = await db
      .insert(workflows)
      .values({ organizationId: org!.id, name: label, s3SourcePath: prefix, s3ExportPath: "out/" })
      .returning({ id: workflows.id });
    id = row!.id;
  }
  const sync = createItemSyncService({ db, storage, log, jobs: { send: async () => null }, pageSize: 1000 });
  const started = performance.now();
  const state = await sync.syncItems({ organizationId: org!.id, workflowId: id });
  const seconds = (performance.now() - started) / 1000;
  if (state?.listed !== expected) throw new Error(`${label}: listed ${state?.listed}, expected ${expected}`);
  results[label] = expected / seconds;
  console.log(
    `  ${label.padEnd(34)} ${expected.toLocaleString().padStart(10)} keys  ${seconds.toFixed(1).padStart(6)} s  ${Math.round(
      expected / seconds,
    )
      .toLocaleString()
      .padStart(8)} keys/s  (inserted ${state.inserted.toLocaleString()})`,
  );
  return id;
}

try {
  await db.insert(organizations).values({ slug: "bench", name: "bench" });
  console.log(`item sync on PostgreSQL, 1,000 keys per page`);

  const big = await run("generated listing, first sync", generatedListing("big/", KEYS), "big/", KEYS);
  await run("generated listing, re-sync (no-op)", generatedListing("big/", KEYS), "big/", KEYS, big);

  const signer = createUrlSigner("bench-secret-bench-secret-bench-secret");
  const local = createLocalStorage({ root: path.join(work, "storage"), publicUrl: "http://x", signer });
  for (let i = 0; i < LOCAL_FILES; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, LOCAL_FILES - i) }, (_, k) =>
        local.put(`local/${String(Math.floor((i + k) / 1000)).padStart(3, "0")}/${i + k}.jpg`, "x"),
      ),
    );
  }
  await run("local folder (20 sub-folders)", local, "local/", LOCAL_FILES);

  const s3 = await startS3rver("bench");
  try {
    const s3Storage = createS3Storage({
      bucket: s3.bucket,
      region: "us-east-1",
      endpoint: s3.endpoint,
      forcePathStyle: true,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    });
    for (let i = 0; i < S3_OBJECTS; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, k) => s3Storage.put(`s3/${String(i + k).padStart(6, "0")}.jpg`, "x")),
      );
    }
    await run("s3rver", s3Storage, "s3/", S3_OBJECTS);
  } finally {
    await s3.stop();
  }

  const first = results["generated listing, first sync"]!;
  console.log(
    `ratios: re-sync/first ${(results["generated listing, re-sync (no-op)"]! / first).toFixed(2)}, local/generated ${(results["local folder (20 sub-folders)"]! / first).toFixed(2)}, s3rver/generated ${(results.s3rver! / first).toFixed(3)}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
  await database.close();
}
