import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { rateLimits } from "../../db/schema/index.js";

/**
 * Fixed-window counters in the database, so every replica shares them. `hit` counts one attempt and
 * answers whether the key is still under `max` within the window.
 */
export function createRateLimiter(db: Db, max: number, windowSeconds: number) {
  return {
    async isBlocked(key: string, now = new Date()): Promise<boolean> {
      const [row] = await db.select().from(rateLimits).where(eq(rateLimits.key, key));
      return row !== undefined && row.resetAt > now && row.count >= max;
    },
    async hit(key: string, now = new Date()): Promise<void> {
      const resetAt = new Date(now.getTime() + windowSeconds * 1000);
      await db
        .insert(rateLimits)
        .values({ key, count: 1, resetAt })
        .onConflictDoUpdate({
          target: rateLimits.key,
          set: {
            count: sql`case when ${rateLimits.resetAt} <= ${now.toISOString()}::timestamptz then 1 else ${rateLimits.count} + 1 end`,
            resetAt: sql`case when ${rateLimits.resetAt} <= ${now.toISOString()}::timestamptz then ${resetAt.toISOString()}::timestamptz else ${rateLimits.resetAt} end`,
          },
        });
    },
    async reset(key: string): Promise<void> {
      await db.delete(rateLimits).where(eq(rateLimits.key, key));
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
