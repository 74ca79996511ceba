import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { Database } from "./client.js";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../migrations", import.meta.url));

/** Arbitrary but fixed: every LabelFleet process takes this lock before migrating. */
const MIGRATION_LOCK_KEY = 74_201_001;

/**
 * Applies pending migrations. On PostgreSQL the whole run holds an advisory lock on one connection,
 * so N replicas starting together migrate once and the others wait, then find nothing to do.
 */
export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === "pglite") {
    await migratePglite(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    return;
  }
  await database.withSession(async (session) => {
    await session.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      await migratePg(session as never, { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await session.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  });
}
