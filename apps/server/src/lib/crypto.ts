import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";

/** URL-safe random string of `bytes` random bytes. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString("base64url");

export const sha256Hex = (value: string): string => createHash("sha256").update(value).digest("hex");

export const hmacBase64url = (key: string, value: string): string =>
  createHmac("sha256", key).update(value).digest("base64url");

/** Compares secrets in constant time (also when lengths differ: both sides are hashed first). */
export function safeEqual(a: string, b: string): boolean {
  return safeEqualDigest(secretDigest(a), b);
}

/** The SHA-256 of a secret, to keep instead of the secret for repeated `safeEqualDigest` checks. */
export const secretDigest = (secret: string): Buffer => createHash("sha256").update(secret).digest();

/** `safeEqual` against a secret kept as its `secretDigest` (one hash per check instead of two). */
export function safeEqualDigest(expected: Buffer, presented: string): boolean {
  return timingSafeEqual(expected, secretDigest(presented));
}

/**
 * Encrypts secrets at rest (LS tokens, webhook secrets) with AES-256-GCM under a key derived from the
 * server secret. Format: `v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
export function createSecretBox(serverSecret: string) {
  const key = createHash("sha256").update(`labelfleet:secret-box:${serverSecret}`).digest();
  return {
    seal(plain: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return ["v1", iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
        .join(".");
    },
    open(sealed: string): string {
      const [version, iv, tag, body] = sealed.split(".");
      if (version !== "v1" || !iv || !tag || body === undefined) throw new Error("Unreadable sealed secret");
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString(
        "utf8",
      );
    },
  };
}
export type SecretBox = ReturnType<typeof createSecretBox>;

/** Shows enough of a secret to recognise it, never enough to use it. */
export const maskSecret = (secret: string | null | undefined): string | null =>
  secret ? `${secret.slice(0, 4)}…${"*".repeat(8)}` : null;
