import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalStorage } from "./local.storage.js";
import { contentTypeOf, isItemKey, isSafeKey, type ObjectStorage } from "./object-storage.js";
import { createUrlSigner } from "./signed-urls.js";

let root: string;
let outside: string;
let storage: ObjectStorage;
const clock = { now: () => new Date(1_800_000_000_000) };
const signer = createUrlSigner("a-server-secret-of-enough-length-123456", clock);

// Keys chosen so that folder order and S3 key order differ ("a-c" < "a/" < "a0" byte-wise).
const KEYS = ["a-c.jpg", "a/b.jpg", "a/c/d.png", "a/c/e.png", "a0.txt", "b.jpg", "z/y/x.json"];

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "lf-local-"));
  outside = mkdtempSync(path.join(tmpdir(), "lf-outside-"));
  storage = createLocalStorage({ root, publicUrl: "http://lf.test/", signer });
  for (const key of [...KEYS].reverse()) await storage.put(key, `body of ${key}`);
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

async function listAll(prefix: string, pageSize: number) {
  const keys: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await storage.list(prefix, { cursor, pageSize });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 100);
  return { keys, pages };
}

describe("local storage", () => {
  it("lists in S3 key order across folders, whatever the page size", async () => {
    const sorted = [...KEYS].sort();
    for (const size of [1, 2, 3, 1000]) {
      expect((await listAll("", size)).keys).toEqual(sorted);
    }
    expect((await storage.list("", { pageSize: 2 })).nextCursor).toBe("a/b.jpg");
  });

  it("filters by prefix, including prefixes that end inside a name", async () => {
    expect((await listAll("a/", 1)).keys).toEqual(["a/b.jpg", "a/c/d.png", "a/c/e.png"]);
    expect((await listAll("a/c", 10)).keys).toEqual(["a/c/d.png", "a/c/e.png"]);
    expect((await listAll("a", 2)).keys).toEqual(["a-c.jpg", "a/b.jpg", "a/c/d.png", "a/c/e.png", "a0.txt"]);
    expect((await listAll("nothing/", 10)).keys).toEqual([]);
  });

  it("resumes after a cursor (exclusive), also a cursor inside a folder", async () => {
    const page = await storage.list("", { cursor: "a/c/d.png", pageSize: 3 });
    expect(page.objects.map((o) => o.key)).toEqual(["a/c/e.png", "a0.txt", "b.jpg"]);
    expect(page.objects[0]?.size).toBe("body of a/c/e.png".length);
    const tail = await storage.list("", { cursor: "b.jpg" });
    expect(tail).toEqual({ objects: [{ key: "z/y/x.json", size: 18 }], nextCursor: null });
  });

  it("puts, gets and checks existence; a missing key is NOT_FOUND", async () => {
    await storage.put("new/dir/file.png", new Uint8Array([1, 2, 3]));
    const got = await storage.get("new/dir/file.png");
    expect([...got.body]).toEqual([1, 2, 3]);
    expect(got.contentType).toBe("image/png");
    expect(await storage.exists("new/dir/file.png")).toBe(true);
    expect(await storage.exists("new/dir/none.png")).toBe(false);
    await expect(storage.get("new/dir/none.png")).rejects.toMatchObject({ code: "NOT_FOUND" });
    // The listing sees the new folder at once (the folder cache is invalidated by put).
    expect((await listAll("new/", 10)).keys).toEqual(["new/dir/file.png"]);
  });

  it("refuses keys that could leave the folder, and does not follow links out of it", async () => {
    writeFileSync(path.join(outside, "secret.txt"), "secret");
    for (const key of ["../secret.txt", "a/../../secret.txt", "/etc/passwd", "a\\..\\b", "a//b.jpg"]) {
      await expect(storage.get(key)).rejects.toMatchObject({ code: "BAD_REQUEST" });
      await expect(storage.put(key, "x")).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    await expect(storage.list("../")).rejects.toMatchObject({ code: "BAD_REQUEST" });
    mkdirSync(path.join(root, "links"));
    symlinkSync(path.join(outside, "secret.txt"), path.join(root, "links", "secret.txt"));
    symlinkSync(outside, path.join(root, "links", "dir"));
    await expect(storage.get("links/secret.txt")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(storage.get("links/dir/secret.txt")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await storage.exists("links/secret.txt")).toBe(false);
    expect((await listAll("links/", 10)).keys).toEqual([]);
  });

  it("presigns URLs under the public URL that verify for that key until they expire", async () => {
    const url = new URL(await storage.presignGet("a/c/d.png", 60));
    expect(url.origin + url.pathname).toBe("http://lf.test/api/storage/files/a/c/d.png");
    const expires = Number(url.searchParams.get("expires"));
    const signature = url.searchParams.get("signature")!;
    expect(expires).toBe(1_800_000_000 + 60);
    expect(signer.verify("a/c/d.png", expires, signature)).toBe(true);
    expect(signer.verify("a/c/e.png", expires, signature)).toBe(false);
    expect(signer.verify("a/c/d.png", expires + 1, signature)).toBe(false);
    const later = createUrlSigner("a-server-secret-of-enough-length-123456", {
      now: () => new Date((expires + 1) * 1000),
    });
    expect(later.verify("a/c/d.png", expires, signature)).toBe(false);
    const otherSecret = createUrlSigner("another-server-secret-of-enough-length-1", clock);
    expect(otherSecret.verify("a/c/d.png", expires, signature)).toBe(false);
    expect(await storage.presignGet("dir/a b#?.png")).toContain("/dir/a%20b%23%3F.png?");
  });
});

describe("keys", () => {
  it.each([
    ["images/cat.JPG", true],
    ["texts/a.txt", true],
    ["a/b.json", true],
    ["audio/x.mp3", true],
    ["video/y.mp4", true],
    ["folder/", false],
    ["a/.DS_Store", false],
    ["notes/readme", false],
    ["bin/tool.exe", false],
  ])("isItemKey(%s) is %s", (key, expected) => {
    expect(isItemKey(key)).toBe(expected);
  });

  it("knows content types and safe keys", () => {
    expect(contentTypeOf("a/b.jpeg")).toBe("image/jpeg");
    expect(contentTypeOf("a/b.unknown")).toBe("application/octet-stream");
    expect(isSafeKey("a/b/c.png")).toBe(true);
    expect(isSafeKey("a/./c.png")).toBe(false);
    expect(isSafeKey("a/\u0000.png")).toBe(false);
  });
});
