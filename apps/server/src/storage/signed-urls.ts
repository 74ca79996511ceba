import { createHmac } from "node:crypto";
import { type Clock, systemClock } from "../lib/clock.js";
import { safeEqual } from "../lib/crypto.js";

/** Path of the route that serves local files through signed URLs (http/routes/storage.routes.ts). */
export const SIGNED_FILES_PATH = "/api/storage/files";

/** Each key segment is percent-encoded; the `/` separators stay, so the URL reads like the key. */
export const encodeKeyPath = (key: string) => key.split("/").map(encodeURIComponent).join("/");

/**
 * Short-lived signed URLs for the local-folder storage: `HMAC-SHA256(server secret, key + expiry)`.
 * The signature authenticates the request, so the route is public (LS instances fetch images with
 * no LabelFleet credentials), and a URL is useless after `expires` or for any other key.
 */
export function createUrlSigner(serverSecret: string, clock: Clock = systemClock) {
  // A derived key: the server secret itself also signs sessions; one purpose per key.
  const key = createHmac("sha256", serverSecret).update("labelfleet:storage-url").digest();
  const signatureOf = (objectKey: string, expires: number) =>
    createHmac("sha256", key).update(`${objectKey}\n${expires}`).digest("base64url");

  return {
    /** `{ expires, signature }` for `objectKey`, valid for `ttlSeconds` from now. */
    sign(objectKey: string, ttlSeconds: number) {
      const expires = Math.floor(clock.now().getTime() / 1000) + Math.max(1, Math.trunc(ttlSeconds));
      return { expires, signature: signatureOf(objectKey, expires) };
    },
    /** True when the signature matches the key and expiry, and the expiry has not passed. */
    verify(objectKey: string, expires: number, signature: string): boolean {
      if (!Number.isSafeInteger(expires)) return false;
      if (expires < Math.floor(clock.now().getTime() / 1000)) return false;
      return safeEqual(signatureOf(objectKey, expires), signature);
    },
  };
}
export type UrlSigner = ReturnType<typeof createUrlSigner>;

/** Builds the full signed URL of a local object under `baseUrl` (LabelFleet's public URL). */
export function signedFileUrl(baseUrl: string, signer: UrlSigner, objectKey: string, ttlSeconds: number) {
  const { expires, signature } = signer.sign(objectKey, ttlSeconds);
  const base = baseUrl.replace(/\/+$/, "");
  return `${base}${SIGNED_FILES_PATH}/${encodeKeyPath(objectKey)}?expires=${expires}&signature=${signature}`;
}
