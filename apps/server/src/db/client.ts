import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import * as schema from "./schema/index.js";

/** A database or a transaction: repos accept either (`db | tx`). */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: "postgres" | "pglite";
  /** Runs a raw statement on one connection (advisory locks need the same session). */
  withSession<T>(fn: (session: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; when absent, embedded PGlite is used. */
  url?: string | undefined;
  /** Folder for PGlite's files; absent → in memory (tests). */
  pgliteDir?: string | undefined;
  poolSize?: number;
}

const drizzleOptions = { schema, casing: "snake_case" } as const;

/** Opens PostgreSQL through `pg`, or PGlite when no URL is given (DESIGN §2, embedded default). */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // An idle client that loses its server must not crash the process; the pool replaces it.
    pool.on("error", () => {});
    const db = drizzlePg(pool, drizzleOptions) as unknown as Db;
    return {
      db,
      kind: "postgres",
      async withSession(fn) {
        const client = await pool.connect();
        try {
          return await fn(drizzlePg(client, drizzleOptions) as unknown as Db);
        } finally {
          client.release();
        }
      },
      close: () => pool.end(),
    };
  }
  if (options.pgliteDir) mkdirSync(path.dirname(options.pgliteDir), { recursive: true });
  const client = options.pgliteDir ? new PGlite(options.pgliteDir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client, drizzleOptions) as unknown as Db;
  return {
    db,
    kind: "pglite",
    // PGlite is a single connection: every caller already shares one session.
    withSession: (fn) => fn(db),
    close: () => client.close(),
  };
}
