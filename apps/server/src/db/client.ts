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

/**
 * A checked-out client whose connection dies (server restart, pg_terminate_backend) is released to
 * the pool, which discards it. Drizzle's transaction does not release a client whose BEGIN failed,
 * so without this every such failure would leak a pool slot until the pool is exhausted. Release is
 * made idempotent so drizzle's own later release is harmless.
 */
function releaseDeadClients(pool: pg.Pool) {
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  pool.connect = (async (callback?: unknown) => {
    if (callback) return (pool.constructor as typeof pg.Pool).prototype.connect.call(pool, callback as never);
    const client = await connect();
    const release = client.release;
    let released = false;
    const releaseOnce = (error?: Error | boolean) => {
      if (released) return;
      released = true;
      client.removeListener("error", onDeath);
      client.removeListener("end", onDeath);
      release(error);
    };
    const onDeath = (error?: Error) => releaseOnce(error ?? new Error("connection ended"));
    client.on("error", onDeath);
    client.on("end", onDeath);
    client.release = releaseOnce;
    return client;
  }) as typeof pool.connect;
}

/** Opens PostgreSQL through `pg`, or PGlite when no URL is given (DESIGN §2, embedded default). */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // An idle client that loses its server must not crash the process; the pool replaces it.
    pool.on("error", () => {});
    // Same for a checked-out client (inside a transaction) whose server goes away: its query fails
    // and the request answers an error, but the client's `error` event must not crash the process.
    pool.on("connect", (client) => client.on("error", () => {}));
    releaseDeadClients(pool);
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
