/** How requests are authenticated against one instance (contract §1.1). */
export interface Credentials {
  readonly mode: "legacy" | "pat";
  /** Value of the `Authorization` header for the next request. */
  authorization(): Promise<string>;
  /** Forgets a cached access token (after a 401), so the next call refreshes. */
  invalidate(): void;
}

/** Exchanges a PAT for an access token: `POST /api/token/refresh/` → `{access}`. */
export type RefreshAccessToken = (pat: string) => Promise<string>;

function jwtExpiry(token: string): number | null {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => /^[\w-]+$/.test(p))) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8")) as {
      exp?: unknown;
    };
    return typeof payload.exp === "number" ? payload.exp : null;
  } catch {
    return null;
  }
}

/** True when the key is a JWT with `exp`, i.e. a personal access token rather than a legacy key. */
export function isPersonalAccessToken(key: string): boolean {
  return jwtExpiry(key) !== null;
}

/** Refresh the access token this long before it expires, to absorb clock skew and slow requests. */
const EXPIRY_MARGIN_SECONDS = 30;

/**
 * The SDK's algorithm: a JWT-shaped key is a PAT, exchanged for short-lived access tokens sent as
 * `Bearer`; anything else is a legacy key sent as `Token` (§1.1). Concurrent callers share one refresh.
 */
export function createCredentials(key: string, refresh: RefreshAccessToken): Credentials {
  if (!isPersonalAccessToken(key)) {
    return { mode: "legacy", authorization: async () => `Token ${key}`, invalidate: () => {} };
  }
  let access: { token: string; exp: number } | null = null;
  let pending: Promise<string> | null = null;
  return {
    mode: "pat",
    async authorization() {
      if (access && access.exp - EXPIRY_MARGIN_SECONDS > Date.now() / 1000) return `Bearer ${access.token}`;
      pending ??= refresh(key)
        .then((token) => {
          // An access token without `exp` is used once and refreshed next time.
          access = { token, exp: jwtExpiry(token) ?? 0 };
          return token;
        })
        .finally(() => {
          pending = null;
        });
      return `Bearer ${await pending}`;
    },
    invalidate() {
      access = null;
    },
  };
}
