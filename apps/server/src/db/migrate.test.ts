import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { onPostgres } from "../../test/helpers/database.js";
import { openDatabase } from "./client.js";
import { migrateDatabase } from "./migrate.js";

describe("migrateDatabase", () => {
  it("is idempotent on embedded PGlite", async () => {
    const database = await openDatabase({});
    await migrateDatabase(database);
    await migrateDatabase(database);
    const rows = await database.db.execute(
      sql`select count(*)::int as n from information_schema.tables where table_name = 'workflows'`,
    );
    expect((rows as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(1);
    await database.close();
  });

  it.runIf(onPostgres)(
    "serialises concurrent migrations of several replicas with an advisory lock",
    async () => {
      const adminUrl = process.env.TEST_DATABASE_URL!;
      const name = `lf_migrate_${randomBytes(4).toString("hex")}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const replicas = await Promise.all(
        [1, 2, 3, 4].map(() => openDatabase({ url: url.toString(), poolSize: 2 })),
      );
      try {
        await Promise.all(replicas.map((replica) => migrateDatabase(replica)));
        const result = await replicas[0]!.db.execute(
          sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
        );
        expect((result as unknown as { rows: { n: number }[] }).rows[0]?.n).toBeGreaterThan(0);
      } finally {
        await Promise.all(replicas.map((replica) => replica.close()));
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    },
  );
});
