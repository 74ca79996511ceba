import type { Command } from "commander";
import { AppError } from "../lib/app-error.js";
import { MEMBER_ROLES, type MemberRole } from "../modules/auth/principal.js";
import type { Services } from "../services.js";

const parseRole = (value: string): MemberRole => {
  if (!(MEMBER_ROLES as readonly string[]).includes(value)) {
    throw new AppError("BAD_REQUEST", `role must be one of ${MEMBER_ROLES.join(", ")}`);
  }
  return value as MemberRole;
};

/** Admin commands that act on the database directly (no running server needed). */
export function registerAdminCommands(program: Command, open: () => Promise<Services>) {
  const withServices = (fn: (services: Services) => Promise<void>) => async () => {
    const services = await open();
    try {
      await fn(services);
    } finally {
      await services.database.close();
    }
  };

  const user = program.command("user").description("Manage members (administrators of LabelFleet)");
  user
    .command("create")
    .description("Create a member in an organization")
    .requiredOption("--email <email>", "sign-in email")
    .requiredOption("--password <password>", "password")
    .option("--role <role>", `member role (${MEMBER_ROLES.join(", ")})`, "admin")
    .option("--org <slug>", "organization slug (created when missing)", "default")
    .option("--name <name>", "display name")
    .action((options: { email: string; password: string; role: string; org: string; name?: string }) =>
      withServices(async (services) => {
        const { member, organization } = await services.organizations.addMember({
          email: options.email,
          password: options.password,
          role: parseRole(options.role),
          organizationSlug: options.org,
          ...(options.name ? { name: options.name } : {}),
        });
        console.log(`created member ${member.email} (id ${member.id}) in organization ${organization.slug}`);
      })(),
    );

  const token = program.command("token").description("Manage API tokens");
  token
    .command("create")
    .description("Create an API token for a member; prints the key once")
    .requiredOption("--email <email>", "the member the token acts as")
    .option("--name <name>", "token name", "cli")
    .option("--role <role>", "member role of the token (default: the member's)")
    .option("--org <slug>", "organization slug (default: the member's first)")
    .option("--expires-in-days <days>", "expiry in days")
    .action((options: { email: string; name: string; role?: string; org?: string; expiresInDays?: string }) =>
      withServices(async (services) => {
        const member = await services.organizations.findMemberByEmail(options.email);
        if (!member) throw new AppError("NOT_FOUND", `No member with email ${options.email}`);
        const organizations = await services.auth.service.listOrganizations(member.id);
        const organization = options.org
          ? organizations.find((o) => o.slug === options.org)
          : organizations[0];
        if (!organization) throw new AppError("NOT_FOUND", "The member belongs to no such organization");
        const created = await services.apiTokens.create(
          { memberId: member.id, organizationId: organization.id, role: organization.role },
          {
            name: options.name,
            role: options.role ? parseRole(options.role) : undefined,
            expiresInDays: options.expiresInDays ? Number(options.expiresInDays) : undefined,
          },
        );
        console.log(created.token);
      })(),
    );
}
