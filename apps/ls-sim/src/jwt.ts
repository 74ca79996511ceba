import { createHmac, timingSafeEqual } from "node:crypto";
import { randomHex } from "./util.js";

/** Claims of the simplejwt-style tokens the simulator issues. */
export interface JwtClaims {
  token_type: "refresh" | "access";
  exp: number;
  iat: number;
  jti: string;
  user_id: number;
}

function b64url(input: Buffer | string): string {
  return Buffer.from(input).toString("base64url");
}

/** Signs HS256 claims with the instance SECRET_KEY (LS signs JWTs with Django's SECRET_KEY, §1.3). */
export function signJwt(secret: string, claims: Omit<JwtClaims, "jti" | "iat"> & { jti?: string }): string {
  const full: JwtClaims = {
    ...claims,
    iat: Math.floor(Date.now() / 1000),
    jti: claims.jti ?? randomHex(16),
  };
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(full));
  const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

/** Verifies signature and expiry; returns the claims or null. */
export function verifyJwt(secret: string, token: string): JwtClaims | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [head, body, sig] = parts as [string, string, string];
  const expected = createHmac("sha256", secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as JwtClaims;
    if (typeof claims.exp !== "number" || claims.exp * 1000 < Date.now()) return null;
    return claims;
  } catch {
    return null;
  }
}

/** The truncated form `GET /api/token/` lists: header.payload without the signature (§1.2). */
export function truncateJwt(token: string): string {
  return token.split(".").slice(0, 2).join(".");
}
