import pg from "pg";
import { describe, expect, it } from "vitest";
import { makeInstanceSpec } from "../../../test/fakes/instance-spec.js";
import { onPostgres } from "../../../test/helpers/database.js";
import { createInstanceDatabases } from "./instance-database.js";

const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function exists(sql: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query(sql, [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

describe("per-annotator PostgreSQL databases", () => {
  it("refuses a database name that is not a plain identifier, before connecting", async () => {
    const databases = createInstanceDatabases("postgres://nobody@127.0.0.1:1/none");
    await expect(
      databases.ensure(makeInstanceSpec({ databaseName: "x; drop database y" })),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(databases.drop("Bad-Name")).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("names the step and the database when the server is unreachable", async () => {
    const databases = createInstanceDatabases("postgres://nobody@127.0.0.1:1/none");
    const spec = makeInstanceSpec();
    await expect(databases.ensure(spec)).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringContaining(`creating ${spec.databaseName}`),
    });
  });

  it.runIf(onPostgres)(
    "creates database and role idempotently, lets the instance log in, and drops both",
    async () => {
      const databases = createInstanceDatabases(adminUrl, "db.fleet.internal:6432");
      const spec = makeInstanceSpec();
      const [first, second] = await Promise.all([databases.ensure(spec), databases.ensure(spec)]);
      expect(first).toEqual(second);
      expect(first).toMatchObject({
        host: "db.fleet.internal",
        port: 6432,
        name: spec.databaseName,
        user: spec.databaseName,
      });
      expect(await exists("select 1 from pg_database where datname = $1", spec.databaseName)).toBe(true);

      // The instance's own role owns its database (reached here on the admin URL's host).
      const url = new URL(adminUrl);
      url.username = first.user;
      url.password = first.password;
      url.pathname = `/${first.name}`;
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      const owner = await client.query(
        "select pg_get_userbyid(datdba) as owner from pg_database where datname = current_database()",
      );
      await client.end();
      expect(owner.rows[0].owner).toBe(spec.databaseName);

      await databases.drop(spec.databaseName);
      await databases.drop(spec.databaseName);
      expect(await exists("select 1 from pg_database where datname = $1", spec.databaseName)).toBe(false);
      expect(await exists("select 1 from pg_roles where rolname = $1", spec.databaseName)).toBe(false);
    },
  );
});
