import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObjectStorage } from "./object-storage.js";
import { createS3Storage } from "./s3.storage.js";
import { type S3rverHandle, startS3rver } from "./testing/s3rver.js";

let s3: S3rverHandle;
let storage: ObjectStorage;

// s3rver walks folders in readdir order rather than S3's byte order, so these keys avoid names
// where the two differ (a "-" beside a "/"); real S3 needs no such care.
const KEYS = Array.from({ length: 23 }, (_, i) => `images/cars/${String(i).padStart(3, "0")}.jpg`);

beforeAll(async () => {
  s3 = await startS3rver();
  storage = createS3Storage({
    bucket: s3.bucket,
    region: "us-east-1",
    endpoint: s3.endpoint,
    forcePathStyle: true,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  });
  for (const key of KEYS) await storage.put(key, `jpeg ${key}`);
  await storage.put("images/other/x.png", "png");
});
afterAll(() => s3?.stop());

describe("S3 storage (s3rver)", () => {
  it("lists a prefix page by page with the last key as cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await storage.list("images/cars/", { cursor, pageSize: 10 });
      seen.push(...page.objects.map((o) => o.key));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(seen).toEqual(KEYS);
    expect(pages).toBe(3);
    const first = await storage.list("images/cars/", { pageSize: 10 });
    expect(first.nextCursor).toBe(KEYS[9]);
    expect(first.objects[0]?.size).toBe(`jpeg ${KEYS[0]}`.length);
  });

  it("puts and gets objects with their content type; missing keys are NOT_FOUND", async () => {
    const got = await storage.get("images/other/x.png");
    expect(got.body.toString()).toBe("png");
    expect(got.contentType).toBe("image/png");
    expect(await storage.exists("images/other/x.png")).toBe(true);
    expect(await storage.exists("images/other/none.png")).toBe(false);
    await expect(storage.get("images/other/none.png")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("presigns GET URLs that anyone can fetch", async () => {
    const url = await storage.presignGet(KEYS[3]!, 300);
    expect(url).toContain("X-Amz-Signature=");
    expect(url).toContain("X-Amz-Expires=300");
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`jpeg ${KEYS[3]}`);
    expect(new URL(url).pathname).toBe(`/${s3.bucket}/${KEYS[3]}`);
  });
});
