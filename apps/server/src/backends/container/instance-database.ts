import pg from "pg";
import { AppError } from "../../lib/app-error.js";
import type { InstanceSpec } from "../instance-backend.js";
import { deriveInstanceSecret, type InstanceDatabase } from "./container-instance.js";

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The per-annotator PostgreSQL databases (`ls_annotator_<id>`) on the configured server. */
export interface InstanceDatabases {
  /**
   * Creates the annotator's role and database when missing (idempotent, safe to run concurrently)
   * and returns how the instance connects. The role's password is derived from the annotator's
   * webhook secret and re-applied on every call, so a rotated secret never locks the instance out.
   */
  ensure(spec: InstanceSpec): Promise<InstanceDatabase>;
  /** Drops the database (closing its connections) and its role; missing ones are fine. */
  drop(databaseName: string): Promise<void>;
}

/**
 * `adminUrl` is a connection with CREATEDB and CREATEROLE; `instanceHost` (`host[:port]`) is the same
 * server as the instances reach it when that differs (container networks).
 */
export function createInstanceDatabases(adminUrl: string, instanceHost?: string): InstanceDatabases {
  const admin = new URL(adminUrl);
  const [reachHost, reachPort] = (instanceHost ?? `${admin.hostname}:${admin.port || "5432"}`).split(":");
  const host = reachHost || admin.hostname;
  const port = Number(reachPort || admin.port || 5432);

  async function withAdmin<T>(
    what: string,
    name: string,
    run: (client: pg.Client) => Promise<T>,
  ): Promise<T> {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      // Role DDL on one name from two sessions fails with "tuple concurrently updated": serialise per
      // name (the session lock goes away with the connection).
      await client.query("select pg_advisory_lock(hashtextextended($1, 0))", [
        `labelfleet:instance-db:${name}`,
      ]);
      return await run(client);
    } catch (error) {
      throw new AppError("UNAVAILABLE", `instance database: ${what} failed: ${(error as Error).message}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  function checkedName(name: string): string {
    if (!NAME.test(name)) throw new AppError("BAD_REQUEST", `invalid instance database name "${name}"`);
    return name;
  }

  return {
    async ensure(spec) {
      const name = checkedName(spec.databaseName);
      const password = deriveInstanceSecret(spec, `ls-database:${name}`);
      await withAdmin(`creating ${name}`, name, async (client) => {
        // CREATE ROLE/DATABASE take no parameters and no IF NOT EXISTS; the name is validated above and
        // a concurrent creator's duplicate error means the object exists, which is what we want.
        await ignoreCodes(client.query(`create role ${name} login`), ["42710", "23505"]);
        const literal = await client.query<{ q: string }>("select quote_literal($1) as q", [password]);
        await client.query(`alter role ${name} with login password ${literal.rows[0]?.q}`);
        await ignoreCodes(client.query(`create database ${name} owner ${name}`), ["42P04", "23505"]);
      });
      return { host, port, name, user: name, password };
    },
    async drop(databaseName) {
      const name = checkedName(databaseName);
      await withAdmin(`dropping ${name}`, name, async (client) => {
        await client.query(`drop database if exists ${name} with (force)`);
        await client.query(`drop role if exists ${name}`);
      });
    },
  };
}

async function ignoreCodes(query: Promise<unknown>, codes: string[]): Promise<void> {
  try {
    await query;
  } catch (error) {
    if (!codes.includes((error as { code?: string }).code ?? "")) throw error;
  }
}
