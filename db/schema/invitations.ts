import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";
import { users } from "./users";

/**
 * Invitations to join a customer account (POST /members/invitations). `tokenHash` is the
 * SHA-256 (hex) of the link's 256-bit token, so a leaked table opens no account; the token
 * itself is only in the email. Pending = not accepted, not revoked, `expiresAt` in the
 * future (7 days after creation, db/members/invitations.ts). At most one pending
 * invitation per account and email: inviting again revokes the earlier one.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id),
    /** Lower-cased. */
    email: text("email").notNull(),
    role: text("role", { enum: ["owner", "admin", "viewer"] }).notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    invitedBy: text("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    acceptedBy: text("accepted_by").references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    index("invitations_account_idx").on(t.accountId, t.createdAt),
    uniqueIndex("invitations_open_email_idx")
      .on(t.accountId, t.email)
      .where(sql`${t.acceptedAt} IS NULL AND ${t.revokedAt} IS NULL`),
  ],
);
