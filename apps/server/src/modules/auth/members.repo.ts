import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { members, memberships, organizations } from "../../db/schema/index.js";
import type { MemberRole } from "./principal.js";

export const findMemberByEmail = async (db: Db, email: string) =>
  (await db.select().from(members).where(sql`lower(${members.email}) = lower(${email})`))[0] ?? null;

export const findMemberById = async (db: Db, id: number) =>
  (await db.select().from(members).where(eq(members.id, id)))[0] ?? null;

/** The member's role in one organization, with what the session check needs; null if not a member. */
export async function findMembership(db: Db, memberId: number, organizationId: number) {
  const [row] = await db
    .select({
      memberId: members.id,
      email: members.email,
      sessionVersion: members.sessionVersion,
      disabledAt: members.disabledAt,
      role: memberships.role,
      organizationId: memberships.organizationId,
    })
    .from(memberships)
    .innerJoin(members, eq(members.id, memberships.memberId))
    .where(and(eq(memberships.memberId, memberId), eq(memberships.organizationId, organizationId)));
  return row ?? null;
}

/** Organizations of a member, oldest first (the first is the default active organization). */
export const listMemberOrganizations = (db: Db, memberId: number) =>
  db
    .select({
      id: organizations.id,
      name: organizations.name,
      slug: organizations.slug,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(eq(memberships.memberId, memberId))
    .orderBy(asc(organizations.id));

export async function insertMember(
  db: Db,
  values: { email: string; name?: string | null; passwordHash: string },
) {
  const [row] = await db.insert(members).values(values).returning();
  return row!;
}

export async function addMembership(db: Db, memberId: number, organizationId: number, role: MemberRole) {
  await db
    .insert(memberships)
    .values({ memberId, organizationId, role })
    .onConflictDoUpdate({ target: [memberships.memberId, memberships.organizationId], set: { role } });
}

export async function bumpSessionVersion(db: Db, memberId: number, passwordHash?: string) {
  await db
    .update(members)
    .set({
      sessionVersion: sql`${members.sessionVersion} + 1`,
      updatedAt: new Date(),
      ...(passwordHash ? { passwordHash } : {}),
    })
    .where(eq(members.id, memberId));
}

export const countMembers = async (db: Db) =>
  Number((await db.select({ n: sql<number>`count(*)` }).from(members))[0]?.n ?? 0);
