import { bigint, date, pgTable, primaryKey, smallint, text } from "drizzle-orm/pg-core";

/** Shards per (day, currency): 32. Concurrent postings on different accounts rarely share a row. */
export const LEDGER_TOTALS_SHARDS = 32;

/**
 * Daily rollups of the ledger, per UTC day, currency and shard (`hashtext(account_id) & 31`):
 * the signed sum of customer-side `amount` (minor units) per entry type, and the number of
 * entries. Kept by the statement-level AFTER INSERT trigger `ledger_entries_rollups`
 * (ledger_rollups_add, migration 0022; per row until then, migration 0015) in the posting's own
 * transaction, so they always equal the ledger (`npm run verify` checks it). The analytics routes (GET /operator/analytics/*) read these rows instead of scanning
 * millions of entries; liability = the sum of every column (= the sum of customer balances).
 * A single-account transaction touches one shard row per day (its account's shard), and the
 * wide row (one column per type) means a multi-type transaction locks one row, not several
 * in varying order (no deadlocks between settlements posting top-up + promotion). A
 * multi-account statement (a usage batch) upserts its shard rows once each, sorted by
 * (currency, day, shard): concurrent batches take them in the same order.
 */
export const ledgerDailyTotals = pgTable(
  "ledger_daily_totals",
  {
    day: date("day").notNull(),
    currency: text("currency").notNull(),
    shard: smallint("shard").notNull(),
    topup: bigint("topup", { mode: "number" }).notNull().default(0),
    usage: bigint("usage", { mode: "number" }).notNull().default(0),
    capture: bigint("capture", { mode: "number" }).notNull().default(0),
    promotion: bigint("promotion", { mode: "number" }).notNull().default(0),
    adjustment: bigint("adjustment", { mode: "number" }).notNull().default(0),
    refund: bigint("refund", { mode: "number" }).notNull().default(0),
    dispute: bigint("dispute", { mode: "number" }).notNull().default(0),
    entries: bigint("entries", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.currency, t.day, t.shard] })],
);
