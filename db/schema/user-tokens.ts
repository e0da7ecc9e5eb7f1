import { check, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { users } from "./users";

/**
 * Single-use links mailed to a user (db/auth/user-tokens.ts): `password_reset` (30 minutes)
 * and `email_verification` (the address in `email`, at sign-up or a change of email; a day).
 * `id` is the SHA-256 (hex) of the link's token, so the table does not hold usable links.
 * `usedAt` is set when the link is used, or when a newer action makes it stale.
 */
export const userTokens = pgTable(
  "user_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["password_reset", "email_verification"] }).notNull(),
    /** The address the link was sent to (for email_verification: the address it verifies). */
    email: text("email").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("user_tokens_user_id_idx").on(t.userId),
    check("user_tokens_purpose_known", sql`${t.purpose} IN ('password_reset', 'email_verification')`),
  ],
);
