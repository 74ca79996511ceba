import { integer, pgTable, serial, text } from "drizzle-orm/pg-core";
import { createdAt, tenant, timestampTz } from "./_columns.js";
import { memberRole, members } from "./members.js";

/** API tokens for scripts and agents; only a SHA-256 of the key is stored. */
export const apiTokens = pgTable("api_tokens", {
  id: serial().primaryKey(),
  organizationId: tenant(),
  memberId: integer()
    .notNull()
    .references(() => members.id, { onDelete: "cascade" }),
  name: text().notNull(),
  /** First characters of the key, shown in lists so a user can tell tokens apart. */
  prefix: text().notNull(),
  tokenHash: text().notNull().unique(),
  role: memberRole().notNull(),
  createdAt: createdAt(),
  lastUsedAt: timestampTz(),
  expiresAt: timestampTz(),
  revokedAt: timestampTz(),
});
