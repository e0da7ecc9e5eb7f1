import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, numeric, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

/**
 * Append-only ledger (UPDATE, DELETE and TRUNCATE are rejected by triggers; see
 * migration 0001). Each entry moves `amount` minor units between one customer
 * account (`accountId`, signed: positive = credit to the customer) and one system
 * account (`contraAccountId`, which receives `-amount`), so the books always balance.
 * `sequence` is the customer account's entry number, gap-free from 1.
 *
 * A priced usage entry (db/ledger/priced-debit.ts) also records `meter`, `quantity` and
 * `unitPrice` (minor units per unit, the price in force at the event); its `amount` is the
 * whole minor units the event completed (see usage_remainders), which may be 0.
 */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id),
    contraAccountId: text("contra_account_id").notNull().references(() => accounts.id),
    type: text("type", { enum: ["topup", "usage", "promotion", "adjustment", "refund", "dispute", "capture"] }).notNull(),
    amount: bigint("amount", { mode: "number" }).notNull(),
    balanceAfter: bigint("balance_after", { mode: "number" }).notNull(),
    sequence: bigint("sequence", { mode: "number" }).notNull(),
    currency: text("currency").notNull(),
    idempotencyKey: text("idempotency_key"),
    externalRef: text("external_ref"),
    description: text("description"),
    metadata: jsonb("metadata").$type<Record<string, string>>(),
    meter: text("meter"),
    quantity: numeric("quantity"),
    unitPrice: numeric("unit_price"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("ledger_entries_account_sequence_idx").on(t.accountId, t.sequence),
    uniqueIndex("ledger_entries_account_idempotency_key_idx").on(t.accountId, t.idempotencyKey),
    uniqueIndex("ledger_entries_external_ref_idx").on(t.externalRef),
    index("ledger_entries_contra_account_idx").on(t.contraAccountId),
    index("ledger_entries_account_created_idx").on(t.accountId, t.createdAt),
    // Text search in descriptions (GET /transactions?q=, ILIKE '%q%'): a trigram index serves
    // a substring match of 3+ characters (pg_trgm, created in the same migration).
    index("ledger_entries_description_trgm_idx").using("gin", sql`${t.description} gin_trgm_ops`),
    check("ledger_entries_amount_nonzero", sql`${t.amount} <> 0 OR ${t.meter} IS NOT NULL`),
    check(
      "ledger_entries_priced_usage",
      sql`(${t.meter} IS NULL) = (${t.quantity} IS NULL) AND (${t.meter} IS NULL) = (${t.unitPrice} IS NULL)`,
    ),
    check("ledger_entries_sequence_positive", sql`${t.sequence} > 0`),
  ],
);
