import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/test-app.js";
import { createUrlSigner } from "../../storage/signed-urls.js";

let t: TestApp;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);

beforeAll(async () => {
  t = await createTestApp({ PUBLIC_URL: "http://fleet.test:3000" });
  await t.services.storage.put("images/cars/car 1.png", PNG);
  await t.services.storage.put("pages/evil.html", "<script>alert(1)</script>");
});
afterAll(() => t.close());

/** The path and query of a presigned URL, to send to the in-process app. */
const local = (url: string) => {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
};

describe("GET /api/storage/files/:key (signed URLs of the local storage)", () => {
  it("serves the file to anyone holding a valid signed URL, without a session", async () => {
    const url = await t.services.storage.presignGet("images/cars/car 1.png", 120);
    expect(url.startsWith("http://fleet.test:3000/api/storage/files/images/cars/car%201.png?expires=")).toBe(
      true,
    );
    const response = await t.app.request(local(url));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(PNG);
  });

  it("refuses a wrong signature, another key's signature and an expired URL with 403", async () => {
    const url = new URL(await t.services.storage.presignGet("images/cars/car 1.png", 120));
    const expires = url.searchParams.get("expires")!;
    const tampered = await t.request("GET", `${url.pathname}?expires=${expires}&signature=AAAA`);
    expect(tampered.status).toBe(403);
    const longer = await t.request(
      "GET",
      `${url.pathname}?expires=${Number(expires) + 10}&signature=${url.searchParams.get("signature")}`,
    );
    expect(longer.status).toBe(403);
    const other = await t.services.storage.presignGet("pages/evil.html", 120);
    const swapped = local(other).replace("pages/evil.html", "images/cars/car%201.png");
    expect((await t.request("GET", swapped)).status).toBe(403);
    // Signed with the server's key but already expired.
    const past = createUrlSigner(t.services.secret, { now: () => new Date(Date.now() - 3_600_000) });
    const old = past.sign("images/cars/car 1.png", 60);
    const expired = await t.request(
      "GET",
      `/api/storage/files/images/cars/car%201.png?expires=${old.expires}&signature=${old.signature}`,
    );
    expect(expired.status).toBe(403);
    expect(expired.body.error).toMatch(/expired/);
  });

  it("answers 400 without the query and 404 for a signed URL of a missing file", async () => {
    expect((await t.request("GET", "/api/storage/files/images/cars/car%201.png")).status).toBe(400);
    const missing = await t.services.storage.presignGet("images/none.png", 60);
    expect((await t.request("GET", local(missing))).status).toBe(404);
  });

  it("never serves outside the storage folder, even with a valid signature for such a key", async () => {
    const signer = createUrlSigner(t.services.secret);
    const { expires, signature } = signer.sign("../auth-secret", 60);
    const response = await t.request(
      "GET",
      `/api/storage/files/..%2Fauth-secret?expires=${expires}&signature=${signature}`,
    );
    expect([400, 404]).toContain(response.status);
    expect(JSON.stringify(response.body)).not.toContain(t.services.secret);
  });

  it("sandboxes stored HTML so it cannot run as LabelFleet's origin", async () => {
    const response = await t.app.request(local(await t.services.storage.presignGet("pages/evil.html", 60)));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("sandbox");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("keeps the route out of the JSON API contract", async () => {
    const spec = (await t.request("GET", "/api/openapi.json")).body;
    expect(Object.keys(spec.paths).some((p) => p.startsWith("/api/storage"))).toBe(false);
  });
});
