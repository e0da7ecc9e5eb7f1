import { bigint, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * TOTP second factors (RFC 6238) of portal users (`usr_...`) and operator users (`opu_...`):
 * `subjectId` is that user's id (the prefixes keep the two apart; no foreign key for that
 * reason, the users' deletes remove it in their transaction). `secret` is base32 and never
 * leaves the server after enrolment. `confirmedAt` null = enrolment started, not in force.
 * `lastStep` is the 30-second time step of the last accepted code: a code of that step or an
 * earlier one is refused (replay protection, RFC 6238 section 5.2).
 */
export const totpCredentials = pgTable("totp_credentials", {
  subjectId: text("subject_id").primaryKey(),
  secret: text("secret").notNull(),
  confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
  lastStep: bigint("last_step", { mode: "number" }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Single-use recovery codes of a TOTP credential: SHA-256 of the code, `usedAt` once spent. */
export const totpRecoveryCodes = pgTable(
  "totp_recovery_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    subjectId: text("subject_id").notNull().references(() => totpCredentials.subjectId, { onDelete: "cascade" }),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("totp_recovery_codes_subject_idx").on(t.subjectId)],
);

/**
 * Log-ins waiting for their second factor: `id` is the SHA-256 of the pending-login token
 * the password step returned; valid until `expiresAt` (5 minutes), deleted when used.
 * `accountId` is the account a customer log-in acts on (null for operators).
 */
export const loginChallenges = pgTable("login_challenges", {
  id: text("id").primaryKey(),
  subjectId: text("subject_id").notNull(),
  accountId: text("account_id"),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
