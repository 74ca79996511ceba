// Runs the test suite against real PostgreSQL (DESIGN §9): starts the local cluster when it is down,
// then runs vitest with TEST_DATABASE_URL so every database test gets a fresh PostgreSQL database.
import { execSync, spawnSync } from "node:child_process";
import pg from "pg";

const url = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function reachable() {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

if (!(await reachable())) {
  console.log("PostgreSQL is not reachable; starting the local cluster");
  try {
    const version = execSync("ls /etc/postgresql").toString().trim().split("\n")[0];
    execSync(`pg_ctlcluster --skip-systemctl-redirect ${version} main start`, { stdio: "inherit" });
  } catch (error) {
    console.error(`could not start PostgreSQL: ${error.message}`);
  }
  for (let i = 0; i < 30 && !(await reachable()); i++) await new Promise((r) => setTimeout(r, 1000));
  if (!(await reachable())) {
    console.error(`PostgreSQL at ${url} is unreachable`);
    process.exit(1);
  }
}

const result = spawnSync("npx", ["vitest", "run", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, TEST_DATABASE_URL: url },
});
process.exit(result.status ?? 1);
