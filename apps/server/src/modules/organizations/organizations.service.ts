import { asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { organizations } from "../../db/schema/index.js";
import { AppError } from "../../lib/app-error.js";
import { addMembership, countMembers, findMemberByEmail, insertMember } from "../auth/members.repo.js";
import { hashPassword } from "../auth/passwords.js";
import type { MemberRole } from "../auth/principal.js";

export const DEFAULT_ADMIN_PASSWORD = "admin";

/** Organizations (tenants) and their members. */
export function createOrganizationService(db: Db) {
  async function findOrCreateOrganization(slug: string, name = slug) {
    const [existing] = await db.select().from(organizations).where(eq(organizations.slug, slug));
    if (existing) return existing;
    const [created] = await db.insert(organizations).values({ slug, name }).onConflictDoNothing().returning();
    return created ?? (await db.select().from(organizations).where(eq(organizations.slug, slug)))[0]!;
  }

  return {
    findOrCreateOrganization,

    /** Creates a member (or adds an existing one) in an organization with a member role. */
    async addMember(input: {
      email: string;
      password: string;
      role: MemberRole;
      organizationSlug: string;
      name?: string;
    }) {
      const organization = await findOrCreateOrganization(input.organizationSlug);
      let member = await findMemberByEmail(db, input.email);
      if (member) {
        throw new AppError("CONFLICT", `A member with email ${input.email} already exists`);
      }
      member = await insertMember(db, {
        email: input.email,
        name: input.name ?? null,
        passwordHash: await hashPassword(input.password),
      });
      await addMembership(db, member.id, organization.id, input.role);
      return { member, organization };
    },

    /**
     * First start: when no member exists, creates the default organization and its owner from
     * ADMIN_EMAIL/ADMIN_PASSWORD. Returns whether it seeded, and whether the default password is in use.
     */
    async bootstrapAdmin(email: string, password: string) {
      if ((await countMembers(db)) > 0) return { seeded: false, usesDefaultPassword: false };
      try {
        await this.addMember({ email, password, role: "owner", organizationSlug: "default", name: "Admin" });
      } catch (error) {
        // Another replica seeded at the same moment: that is the outcome we wanted.
        if ((await countMembers(db)) > 0) return { seeded: false, usesDefaultPassword: false };
        throw error;
      }
      return { seeded: true, usesDefaultPassword: password === DEFAULT_ADMIN_PASSWORD };
    },

    findMemberByEmail: (email: string) => findMemberByEmail(db, email),

    list: () => db.select().from(organizations).orderBy(asc(organizations.id)),
  };
}
export type OrganizationService = ReturnType<typeof createOrganizationService>;
