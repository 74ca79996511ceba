import { mkdirSync, statSync } from "node:fs";
import type { Command } from "commander";
import { resolveSecret } from "../boot.js";
import type { AppConfig } from "../config/config.js";
import { AppError } from "../lib/app-error.js";
import { createObjectStorage } from "../storage/create-storage.js";
import type { ObjectStorage } from "../storage/object-storage.js";
import { putFolder } from "../storage/put-folder.js";

/** The configured object storage (S3 when S3_BUCKET is set, else STORAGE_DIR); no database needed. */
export function openConfiguredStorage(config: AppConfig): ObjectStorage {
  mkdirSync(config.dataDir, { recursive: true });
  return createObjectStorage({ config, secret: resolveSecret(config) }).storage;
}

/**
 * `labelfleet storage put <dir> <prefix>`: copies a folder (e.g. of images) into the object storage
 * under a prefix, which a workflow's `s3SourcePath` can then name.
 */
export function registerStorageCommands(program: Command, openStorage: () => ObjectStorage) {
  const storage = program.command("storage").description("Object storage (S3, or the local STORAGE_DIR)");
  storage
    .command("put")
    .description(
      "Copy every file of <dir> (recursively, hidden files skipped) to <prefix> in the object storage",
    )
    .argument("<dir>", "local folder to copy")
    .argument("<prefix>", "destination prefix, e.g. images/cars/")
    .option("-q, --quiet", "print only the summary")
    .action(async (dir: string, prefix: string, options: { quiet?: boolean }) => {
      if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
        throw new AppError("BAD_REQUEST", `${dir} is not a folder`);
      }
      const target = openStorage();
      const started = Date.now();
      const result = await putFolder(target, dir, prefix, (key, done) => {
        if (!options.quiet && (done % 100 === 0 || done <= 10)) console.log(`${done}\t${key}`);
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `copied ${result.files} file(s), ${result.bytes} bytes, to ${target.kind} storage under "${prefix}" in ${seconds}s`,
      );
    });
}
