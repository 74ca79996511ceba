import { jwtVerify, SignJWT } from "jose";
import { hmacBase64url, randomToken, safeEqual } from "../../lib/crypto.js";

export const SESSION_COOKIE = "authjs.session-token";
export const CSRF_COOKIE = "authjs.csrf-token";
const CSRF_TTL_MS = 60 * 60 * 1000;

export interface SessionClaims {
  memberId: number;
  organizationId: number;
  /** The member's session version when the token was issued; a bump revokes the token. */
  sessionVersion: number;
}

/** Signs and checks session JWTs and CSRF tokens with the server secret. Pure apart from time. */
export function createSessionTokens(secret: string, maxAgeSeconds: number) {
  const key = new TextEncoder().encode(`labelfleet:session:${secret}`);
  const csrfKey = `labelfleet:csrf:${secret}`;
  return {
    maxAgeSeconds,
    async sign(claims: SessionClaims): Promise<string> {
      return new SignJWT({ org: claims.organizationId, sv: claims.sessionVersion })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(String(claims.memberId))
        .setIssuedAt()
        .setExpirationTime(`${maxAgeSeconds}s`)
        .sign(key);
    },
    /** Returns the claims, or null for a token that is malformed, forged or expired. */
    async verify(token: string): Promise<(SessionClaims & { expiresAt: Date }) | null> {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"] });
        const memberId = Number(payload.sub);
        if (
          !Number.isInteger(memberId) ||
          typeof payload.org !== "number" ||
          typeof payload.sv !== "number"
        ) {
          return null;
        }
        return {
          memberId,
          organizationId: payload.org,
          sessionVersion: payload.sv,
          expiresAt: new Date((payload.exp ?? 0) * 1000),
        };
      } catch {
        return null;
      }
    },
    /**
     * A stateless CSRF token (`nonce.expiry.mac`): valid for an hour without a cookie, so the
     * spec's curl sign-in (which sends no cookie) works, while a forged token is refused.
     */
    issueCsrf(now = Date.now()): string {
      const body = `${randomToken(16)}.${now + CSRF_TTL_MS}`;
      return `${body}.${hmacBase64url(csrfKey, body)}`;
    },
    checkCsrf(token: string | undefined, now = Date.now()): boolean {
      if (!token) return false;
      const [nonce, expiry, mac] = token.split(".");
      if (!nonce || !expiry || !mac || Number(expiry) < now) return false;
      return safeEqual(mac, hmacBase64url(csrfKey, `${nonce}.${expiry}`));
    },
  };
}
export type SessionTokens = ReturnType<typeof createSessionTokens>;
