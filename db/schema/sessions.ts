import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";
import { accounts } from "./accounts";

/**
 * Portal sessions. `id` is the SHA-256 (hex) of the cookie token, so a leaked
 * table does not leak live sessions. `accountId` is the account the session acts on.
 */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    accountId: text("account_id").notNull().references(() => accounts.id),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** The id the sessions list shows and DELETE /me/sessions/{id} takes (`ses_...`): never the token's hash. */
    publicId: text("public_id").notNull().unique(),
    /** The User-Agent and client IP of the request that started the session (for the sessions list). */
    userAgent: text("user_agent"),
    ip: text("ip"),
    /** Last authenticated request, stamped at most once a minute (server/middleware/auth.ts). */
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("sessions_user_id_idx").on(t.userId)],
);
