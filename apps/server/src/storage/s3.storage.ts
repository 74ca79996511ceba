import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { AppError } from "../lib/app-error.js";
import {
  contentTypeOf,
  DEFAULT_PRESIGN_TTL_SECONDS,
  type ListOptions,
  type ObjectPage,
  type ObjectStorage,
  pageSizeOf,
} from "./object-storage.js";

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** Custom endpoint (MinIO, s3rver, R2...); unset for AWS. */
  endpoint?: string | undefined;
  /** Path-style URLs (`<endpoint>/<bucket>/<key>`), needed by most S3-compatible servers. */
  forcePathStyle?: boolean;
  /** Static credentials; unset → the SDK's default chain (env, profile, instance role). */
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  presignTtlSeconds?: number;
}

const isMissing = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
};

/** Builds the SDK client; checksums only when required, which S3-compatible servers (s3rver) need. */
export function createS3Client(options: S3StorageOptions): S3Client {
  return new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.accessKeyId && options.secretAccessKey
      ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
      : {}),
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/**
 * S3 (or any S3-compatible server): paged ListObjectsV2 resumed with `StartAfter` (the cursor is the
 * last key, not an opaque continuation token, so it survives restarts), presigned GETs for LS tasks.
 */
export function createS3Storage(options: S3StorageOptions, client = createS3Client(options)): ObjectStorage {
  const Bucket = options.bucket;
  const ttl = options.presignTtlSeconds ?? DEFAULT_PRESIGN_TTL_SECONDS;

  return {
    kind: "s3",

    async list(prefix: string, listOptions?: ListOptions): Promise<ObjectPage> {
      const result = await client.send(
        new ListObjectsV2Command({
          Bucket,
          Prefix: prefix || undefined,
          MaxKeys: pageSizeOf(listOptions),
          ...(listOptions?.cursor ? { StartAfter: listOptions.cursor } : {}),
        }),
      );
      const objects = (result.Contents ?? [])
        .filter((o): o is typeof o & { Key: string } => typeof o.Key === "string")
        .map((o) => ({ key: o.Key, size: Number(o.Size ?? 0) }));
      const last = objects.at(-1);
      return { objects, nextCursor: result.IsTruncated && last ? last.key : null };
    },

    presignGet(key: string, ttlSeconds = ttl) {
      return getSignedUrl(client, new GetObjectCommand({ Bucket, Key: key }), { expiresIn: ttlSeconds });
    },

    async put(key: string, body: Uint8Array | string, contentType = contentTypeOf(key)) {
      await client.send(new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: contentType }));
    },

    async get(key: string) {
      try {
        const result = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        const bytes = await result.Body?.transformToByteArray();
        return {
          body: Buffer.from(bytes ?? new Uint8Array()),
          contentType: result.ContentType ?? contentTypeOf(key),
        };
      } catch (error) {
        if (isMissing(error)) throw new AppError("NOT_FOUND", `Object ${key} not found`);
        throw error;
      }
    },

    async exists(key: string) {
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
  };
}
