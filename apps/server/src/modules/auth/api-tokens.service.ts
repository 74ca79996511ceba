import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { apiTokens } from "../../db/schema/index.js";
import type { Page } from "../../http/pagination.js";
import { AppError, found } from "../../lib/app-error.js";
import { randomToken, sha256Hex } from "../../lib/crypto.js";
import { hasRole, type MemberRole, type Principal } from "./principal.js";

export interface CreateApiTokenInput {
  name: string;
  role?: MemberRole | undefined;
  expiresInDays?: number | undefined;
}

const publicColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  role: apiTokens.role,
  memberId: apiTokens.memberId,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
  expiresAt: apiTokens.expiresAt,
  revokedAt: apiTokens.revokedAt,
};

/** API tokens: the key is returned once at creation; only its SHA-256 is stored. */
export function createApiTokenService(db: Db) {
  return {
    async create(
      principal: Pick<Principal, "memberId" | "organizationId" | "role">,
      input: CreateApiTokenInput,
    ) {
      const role = input.role ?? principal.role;
      if (!hasRole(principal.role, role)) {
        throw new AppError("FORBIDDEN", `A ${principal.role} cannot create a token with role ${role}`);
      }
      const key = `lf_${randomToken(30)}`;
      const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
      const [row] = await db
        .insert(apiTokens)
        .values({
          organizationId: principal.organizationId,
          memberId: principal.memberId,
          name: input.name,
          prefix: key.slice(0, 10),
          tokenHash: sha256Hex(key),
          role,
          expiresAt,
        })
        .returning(publicColumns);
      return { ...row!, token: key };
    },

    async list(organizationId: number, page: Page) {
      const where = eq(apiTokens.organizationId, organizationId);
      const rows = await db
        .select(publicColumns)
        .from(apiTokens)
        .where(where)
        .orderBy(desc(apiTokens.id))
        .limit(page.limit)
        .offset(page.offset);
      const [count] = await db.select({ n: sql<number>`count(*)` }).from(apiTokens).where(where);
      return { rows, total: Number(count?.n ?? 0) };
    },

    /** Revokes a token of the caller's organization; admins may revoke anyone's, others their own. */
    async revoke(principal: Principal, id: number) {
      const [token] = await db
        .select()
        .from(apiTokens)
        .where(and(eq(apiTokens.id, id), eq(apiTokens.organizationId, principal.organizationId)));
      const existing = found(token, "Token");
      if (existing.memberId !== principal.memberId && !hasRole(principal.role, "admin")) {
        throw new AppError("FORBIDDEN", "Only admins can revoke another member's token");
      }
      await db
        .update(apiTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)));
    },
  };
}
export type ApiTokenService = ReturnType<typeof createApiTokenService>;
