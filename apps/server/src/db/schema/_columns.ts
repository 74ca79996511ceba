import { integer, timestamp } from "drizzle-orm/pg-core";
import { organizations } from "./organizations.js";

/** Every tenant-owned table starts with these; deleting an organization removes its data. */
export const tenant = () =>
  integer()
    .notNull()
    .references(() => organizations.id, { onDelete: "cascade" });

export const createdAt = () => timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow();
export const updatedAt = () => timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow();
export const timestampTz = () => timestamp({ withTimezone: true, mode: "date" });
