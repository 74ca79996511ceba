import { and, eq, gt, isNull, or } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { apiTokens } from "../../db/schema/index.js";
import { AppError } from "../../lib/app-error.js";
import { sha256Hex } from "../../lib/crypto.js";
import {
  bumpSessionVersion,
  findMemberByEmail,
  findMemberById,
  findMembership,
  listMemberOrganizations,
} from "./members.repo.js";
import { decoyHash, hashPassword, verifyPassword } from "./passwords.js";
import { hasRole, type Principal } from "./principal.js";
import type { RateLimiter } from "./rate-limit.js";
import type { SessionTokens } from "./session-token.js";

export interface AuthServiceDeps {
  db: Db;
  tokens: SessionTokens;
  limiter: RateLimiter;
}

/** Sign-in, sessions, sign-out, password change and API-token resolution. Never sees HTTP. */
export function createAuthService({ db, tokens, limiter }: AuthServiceDeps) {
  async function principalFor(memberId: number, organizationId: number, sessionVersion?: number) {
    const membership = await findMembership(db, memberId, organizationId);
    if (!membership || membership.disabledAt) return null;
    if (sessionVersion !== undefined && membership.sessionVersion !== sessionVersion) return null;
    return membership;
  }

  return {
    /**
     * Checks credentials and returns a session JWT. Failures are counted per account and per client
     * address; past the limit every attempt is refused with 429 until the window ends.
     */
    async signIn(input: { email: string; password: string; clientAddress: string }) {
      const keys = [`login:account:${input.email.toLowerCase()}`, `login:address:${input.clientAddress}`];
      for (const key of keys) {
        if (await limiter.isBlocked(key)) {
          throw new AppError("TOO_MANY_REQUESTS", "Too many sign-in attempts; try again later");
        }
      }
      const member = await findMemberByEmail(db, input.email);
      const ok = await verifyPassword(member?.passwordHash ?? (await decoyHash()), input.password);
      const [organization] = member ? await listMemberOrganizations(db, member.id) : [];
      if (!member || !ok || member.disabledAt || !organization) {
        for (const key of keys) await limiter.hit(key);
        throw new AppError("UNAUTHORIZED", "Invalid email or password");
      }
      await limiter.reset(keys[0]!);
      const token = await tokens.sign({
        memberId: member.id,
        organizationId: organization.id,
        sessionVersion: member.sessionVersion,
      });
      return { token, memberId: member.id, organizationId: organization.id };
    },

    /** Resolves a session JWT to a principal; null when invalid, expired or revoked. */
    async resolveSession(jwt: string): Promise<(Principal & { expiresAt: Date }) | null> {
      const claims = await tokens.verify(jwt);
      if (!claims) return null;
      const membership = await principalFor(claims.memberId, claims.organizationId, claims.sessionVersion);
      if (!membership) return null;
      return {
        memberId: membership.memberId,
        email: membership.email,
        organizationId: membership.organizationId,
        role: membership.role,
        via: "session",
        expiresAt: claims.expiresAt,
      };
    },

    /** Resolves an API token (`Token <key>` / `Bearer <key>`); its role never exceeds the member's. */
    async resolveApiToken(key: string, now = new Date()): Promise<Principal | null> {
      const [token] = await db
        .select()
        .from(apiTokens)
        .where(
          and(
            eq(apiTokens.tokenHash, sha256Hex(key)),
            isNull(apiTokens.revokedAt),
            or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
          ),
        );
      if (!token) return null;
      const membership = await principalFor(token.memberId, token.organizationId);
      if (!membership) return null;
      // Throttle last-used writes to one a minute per token: this runs on every token request.
      if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > 60_000) {
        await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, token.id));
      }
      const role = hasRole(membership.role, token.role) ? token.role : membership.role;
      return {
        memberId: membership.memberId,
        email: membership.email,
        organizationId: token.organizationId,
        role,
        via: "token",
        tokenId: token.id,
      };
    },

    /** Revokes every session of the member (all devices). */
    signOut: (memberId: number) => bumpSessionVersion(db, memberId),

    /** Changes the password, revokes all older sessions and returns a fresh session for the caller. */
    async changePassword(principal: Principal, currentPassword: string, newPassword: string) {
      const member = await findMemberById(db, principal.memberId);
      if (!member || !(await verifyPassword(member.passwordHash, currentPassword))) {
        throw new AppError("BAD_REQUEST", "Current password is incorrect");
      }
      await bumpSessionVersion(db, member.id, await hashPassword(newPassword));
      const token = await tokens.sign({
        memberId: member.id,
        organizationId: principal.organizationId,
        sessionVersion: member.sessionVersion + 1,
      });
      return { token };
    },

    /** Switches the active organization of a session (the member must belong to it). */
    async switchOrganization(principal: Principal, organizationId: number) {
      const membership = await principalFor(principal.memberId, organizationId);
      if (!membership) throw new AppError("NOT_FOUND", "Organization not found");
      return {
        token: await tokens.sign({
          memberId: principal.memberId,
          organizationId,
          sessionVersion: membership.sessionVersion,
        }),
      };
    },

    listOrganizations: (memberId: number) => listMemberOrganizations(db, memberId),
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
