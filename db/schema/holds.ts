import { sql } from "drizzle-orm";
import { bigint, check, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";
import { ledgerEntries } from "./ledger-entries";

/**
 * Funds reserved for work in progress (shared/DESIGN.md, "Money and the ledger"). While
 * `active`, `amount` counts in `accounts.held`, so available = balance - held. A hold ends
 * once: `captured` (a `capture` ledger entry of `capturedAmount` <= amount), `voided`, or
 * `expired` (at `expiresAt`, by the expire_holds worker task); each releases the whole
 * amount from `held`. Amounts in minor units of the account's currency.
 */
export const holds = pgTable(
  "holds",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id),
    amount: bigint("amount", { mode: "number" }).notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: ["active", "captured", "voided", "expired"] }).notNull().default("active"),
    capturedAmount: bigint("captured_amount", { mode: "number" }),
    captureEntryId: text("capture_entry_id").references(() => ledgerEntries.id),
    idempotencyKey: text("idempotency_key"),
    description: text("description"),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    releasedAt: timestamp("released_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("holds_account_idempotency_key_idx").on(t.accountId, t.idempotencyKey),
    index("holds_active_expires_idx").on(t.expiresAt).where(sql`${t.status} = 'active'`),
    index("holds_account_idx").on(t.accountId, t.createdAt),
    check("holds_amount_positive", sql`${t.amount} > 0`),
    check("holds_capture_within_amount", sql`${t.capturedAmount} IS NULL OR (${t.capturedAmount} > 0 AND ${t.capturedAmount} <= ${t.amount})`),
  ],
);
