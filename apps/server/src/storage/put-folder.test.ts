import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalStorage } from "./local.storage.js";
import { normalizePrefix, putFolder } from "./put-folder.js";
import { createUrlSigner } from "./signed-urls.js";

let work: string;
let source: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "lf-put-"));
  source = path.join(work, "photos");
  mkdirSync(path.join(source, "night"), { recursive: true });
  for (let i = 0; i < 12; i++) writeFileSync(path.join(source, `car-${i}.jpg`), `jpeg ${i}`);
  writeFileSync(path.join(source, "night", "dark.png"), "png");
  writeFileSync(path.join(source, ".DS_Store"), "junk");
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("putFolder", () => {
  it("copies every file under the folder to the prefix, hidden files skipped", async () => {
    const storage = createLocalStorage({
      root: path.join(work, "store-a"),
      publicUrl: "http://x",
      signer: createUrlSigner("secret-secret-secret-secret-secret-12"),
    });
    const seen: number[] = [];
    const result = await putFolder(storage, source, "images/cars", (_, done) => seen.push(done), 3);
    expect(result.files).toBe(13);
    expect(seen).toHaveLength(13);
    expect(result.keys).toContain("images/cars/night/dark.png");
    const listed = (await storage.list("images/cars/")).objects.map((o) => o.key);
    expect(listed).toHaveLength(13);
    expect(listed).not.toContain("images/cars/.DS_Store");
    expect((await storage.get("images/cars/car-7.jpg")).body.toString()).toBe("jpeg 7");
  });

  it("normalizes prefixes and refuses unsafe ones", () => {
    expect(normalizePrefix("images/cars")).toBe("images/cars/");
    expect(normalizePrefix("/images/cars/")).toBe("images/cars/");
    expect(normalizePrefix("")).toBe("");
    expect(() => normalizePrefix("../up")).toThrow(/Invalid prefix/);
  });
});

describe("labelfleet storage put", () => {
  it("copies a folder into the embedded storage (STORAGE_DIR under the data folder)", async () => {
    const main = fileURLToPath(new URL("../main.ts", import.meta.url));
    const dataDir = path.join(work, "data");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", main, "storage", "put", source, "images/cars/", "--quiet"],
      {
        env: {
          ...process.env,
          LABELFLEET_DATA_DIR: dataDir,
          STORAGE_DIR: "",
          S3_BUCKET: "",
          LOG_LEVEL: "silent",
        },
        timeout: 60_000,
      },
    );
    expect(stdout).toMatch(/copied 13 file\(s\), \d+ bytes, to local storage under "images\/cars\/"/);
    expect(readFileSync(path.join(dataDir, "storage", "images", "cars", "car-3.jpg"), "utf8")).toBe("jpeg 3");
  });
});
