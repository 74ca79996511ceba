import { sql } from "drizzle-orm";
import { integer, pgEnum, pgTable, primaryKey, serial, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, timestampTz, updatedAt } from "./_columns.js";
import { organizations } from "./organizations.js";

export const memberRole = pgEnum("member_role", ["owner", "admin", "manager", "viewer"]);

/** An administrator of LabelFleet (never an annotator). */
export const members = pgTable(
  "members",
  {
    id: serial().primaryKey(),
    email: text().notNull(),
    name: text(),
    passwordHash: text().notNull(),
    /** Bumped on sign-out and password change: tokens carrying an older version are refused. */
    sessionVersion: integer().notNull().default(1),
    disabledAt: timestampTz(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("members_email_lower_idx").on(sql`lower(${t.email})`)],
);

export const memberships = pgTable(
  "memberships",
  {
    memberId: integer()
      .notNull()
      .references(() => members.id, { onDelete: "cascade" }),
    organizationId: integer()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    role: memberRole().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.organizationId] })],
);
