import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

// s3rver hashes with MD5 through an OpenSSL API that Node 17+ only offers with the legacy provider
// (DESIGN §9), so it runs in its own node process started with --openssl-legacy-provider.
const SCRIPT = `
import S3rver from "s3rver";
const [directory, bucket] = process.argv.slice(1);
const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.stdout.write(JSON.stringify({ port }) + "\\n");
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
`;

export interface S3rverHandle {
  endpoint: string;
  bucket: string;
  /** Static credentials s3rver accepts. */
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 (a free port) with one bucket, in a temporary folder; for tests and benches. */
export async function startS3rver(bucket = "labelfleet-test"): Promise<S3rverHandle> {
  const directory = mkdtempSync(path.join(tmpdir(), "labelfleet-s3rver-"));
  // Resolve "s3rver" from the server package, wherever the caller runs from.
  const cwd = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
  const child: ChildProcess = spawn(
    process.execPath,
    ["--openssl-legacy-provider", "--no-warnings", "--input-type=module", "-e", SCRIPT, directory, bucket],
    { cwd, stdio: ["ignore", "pipe", "pipe"] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code}: ${err}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
