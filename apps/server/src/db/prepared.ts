import { createHash } from "node:crypto";
import type { SQL } from "drizzle-orm";
import type { Db } from "./client.js";

/** Drizzle internals `db.execute` itself uses (pg-core/db.js), to pass a statement name. */
interface Executor {
  dialect?: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
  session?: {
    prepareQuery(
      query: { sql: string; params: unknown[] },
      fields: undefined,
      name: string,
      isArrayMode: boolean,
    ): { execute(): Promise<unknown> };
  };
}

const names = new Map<string, string>();

/** `lf_` + a digest of the statement's text: the same text always gets the same name. */
function nameOf(text: string) {
  let name = names.get(text);
  if (!name) {
    name = `lf_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    if (names.size > 1_000) names.clear();
    names.set(text, name);
  }
  return name;
}

/**
 * Runs `query` like `db.execute`, as a named prepared statement (hot paths: webhook upserts, claims).
 * On PostgreSQL each pooled connection parses it once and, once PostgreSQL's plan cache judges a
 * generic plan as good as the custom ones, stops planning it; afterwards a call only binds values.
 * The name is derived from the SQL text, so statements whose text varies (optional clauses) are
 * simply several prepared statements; values must go in as parameters, never into the text.
 * Only for statements whose plan does not depend on the values (see docs/ARCHITECTURE.md, claims).
 * On PGlite (one in-process connection, no network) it is a plain `execute`.
 */
export function executePrepared(db: Db, query: SQL): Promise<unknown> {
  const { dialect, session } = db as unknown as Executor;
  if (!dialect?.sqlToQuery || !session?.prepareQuery) return db.execute(query);
  const built = dialect.sqlToQuery(query);
  return session.prepareQuery(built, undefined, nameOf(built.sql), false).execute();
}
