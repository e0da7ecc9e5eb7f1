import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Platform staff (issue 11): not account members. `role` admin (everything) or support
 * (read, plus adjustments up to a limit). `passwordHash` (argon2id) is null until the
 * one-time set-password link is used; TOTP (totp_credentials) is mandatory before any
 * operator route opens. `disabledAt` set = cannot log in, sessions refused.
 */
export const operatorUsers = pgTable("operator_users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  passwordHash: text("password_hash"),
  role: text("role", { enum: ["admin", "support"] }).notNull(),
  disabledAt: timestamp("disabled_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Operator sessions (cookie `lb_operator`), separate from customer sessions; `id` = SHA-256 of the token. */
export const operatorSessions = pgTable(
  "operator_sessions",
  {
    id: text("id").primaryKey(),
    operatorUserId: text("operator_user_id").notNull().references(() => operatorUsers.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("operator_sessions_user_idx").on(t.operatorUserId)],
);

/** One-time set-password links of operator users: `id` = SHA-256 of the token; valid 24 h, single use. */
export const operatorPasswordTokens = pgTable(
  "operator_password_tokens",
  {
    id: text("id").primaryKey(),
    operatorUserId: text("operator_user_id").notNull().references(() => operatorUsers.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [index("operator_password_tokens_user_idx").on(t.operatorUserId).where(sql`used_at IS NULL`)],
);
