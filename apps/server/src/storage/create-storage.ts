import type { AppConfig } from "../config/config.js";
import { AppError } from "../lib/app-error.js";
import type { Clock } from "../lib/clock.js";
import { createLocalStorage } from "./local.storage.js";
import type { ObjectStorage } from "./object-storage.js";
import { createS3Storage } from "./s3.storage.js";
import { createUrlSigner, type UrlSigner } from "./signed-urls.js";

export interface StorageDeps {
  config: Pick<AppConfig, "storage" | "publicUrl" | "port">;
  /** The server secret: signs local URLs. */
  secret: string;
  clock?: Clock;
}

/**
 * Chooses the object storage once, at startup: S3 when S3_BUCKET is set, else the local folder
 * STORAGE_DIR. Also returns the URL signer the local files route verifies with.
 */
export function createObjectStorage({ config, secret, clock }: StorageDeps) {
  const signer = createUrlSigner(secret, clock);
  const { s3, dir, urlTtlSeconds } = config.storage;
  const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  const storage: ObjectStorage = s3
    ? createS3Storage({ ...s3, presignTtlSeconds: urlTtlSeconds })
    : createLocalStorage({ root: dir, publicUrl, signer, presignTtlSeconds: urlTtlSeconds });
  return { storage, signer, files: createSignedFiles(storage, signer) };
}

/** Serves objects to holders of a signed URL (the local storage's presigned GETs). */
export function createSignedFiles(storage: ObjectStorage, signer: UrlSigner) {
  return {
    /** The object's bytes; 403 for a bad or expired signature, 404 for a missing object. */
    async read(key: string, expires: number, signature: string) {
      if (!signer.verify(key, expires, signature)) {
        throw new AppError("FORBIDDEN", "The signature is invalid or has expired");
      }
      return storage.get(key);
    },
  };
}
