import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Portal users. `email` is stored lower-cased; `passwordHash` is argon2id (PHC string). */
export const users = pgTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  /** The language of the emails and push messages this user gets: `en` or `de` (the portal's languages). */
  locale: text("locale", { enum: ["en", "de"] }).notNull().default("en"),
  /**
   * When the user proved they own `email` (the link of db/auth/user-tokens.ts); null until
   * then. Notification emails go only to verified addresses (db/notifications/enqueue.ts).
   */
  emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  // operator search by member email (GET /operator/accounts?q)
  index("users_email_trgm_idx").using("gin", sql`${t.email} gin_trgm_ops`),
]);
