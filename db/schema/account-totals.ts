import { bigint, date, pgTable, primaryKey, text } from "drizzle-orm/pg-core";

/**
 * Per-account rollups of the ledger for GET /operator/analytics/top-accounts, at three
 * granularities: UTC day, calendar month (UTC; `month` is the 1st) and calendar year (`year`
 * is January 1st). One row per period, account and currency in which the account has at least
 * one `topup`, `usage` or `capture` entry (other entry types are not rolled up here): the signed
 * sum of those entries' customer-side `amount` per type (minor units: top-ups positive, usage
 * and captures negative, as in the ledger) and their number.
 *
 * Kept by the statement-level AFTER INSERT trigger `ledger_entries_rollups` (ledger_rollups_add,
 * migration 0022) in the posting's own transaction, together with `ledger_daily_totals`;
 * `npm run verify` checks every row equals the ledger. A posting holds its account's row lock
 * while it inserts the account's entries (db/ledger/README.md rules 4 and 15), so one account's
 * rows here have one writer at a time: no contention and no deadlock between postings.
 *
 * Top-accounts sums, per account, a handful of these periods with signs (e.g. a year, plus a
 * month, minus a few days) so that they cover [from, to) exactly (db/operator/analytics.ts).
 * The primary keys lead with the period, so each period is one index range; rows are written
 * in time order, so a period's rows sit together in the table.
 */
const totals = () => ({
  accountId: text("account_id").notNull(),
  currency: text("currency").notNull(),
  topup: bigint("topup", { mode: "number" }).notNull().default(0),
  topupEntries: bigint("topup_entries", { mode: "number" }).notNull().default(0),
  usage: bigint("usage", { mode: "number" }).notNull().default(0),
  usageEntries: bigint("usage_entries", { mode: "number" }).notNull().default(0),
  capture: bigint("capture", { mode: "number" }).notNull().default(0),
  captureEntries: bigint("capture_entries", { mode: "number" }).notNull().default(0),
});

/** Each level's table and period column (top-accounts in db/operator/analytics.ts, verify). */
export const ACCOUNT_TOTALS_BY_LEVEL = {
  day: { table: "account_daily_totals", period: "day" },
  month: { table: "account_monthly_totals", period: "month" },
  year: { table: "account_yearly_totals", period: "year" },
} as const;

/** Per account, UTC day and currency (see above). */
export const accountDailyTotals = pgTable("account_daily_totals", { day: date("day").notNull(), ...totals() }, (t) => [
  primaryKey({ columns: [t.day, t.accountId, t.currency] }),
]);

/** Per account, calendar month (UTC; the 1st) and currency (see above). */
export const accountMonthlyTotals = pgTable("account_monthly_totals", { month: date("month").notNull(), ...totals() }, (t) => [
  primaryKey({ columns: [t.month, t.accountId, t.currency] }),
]);

/** Per account, calendar year (UTC; January 1st) and currency (see above). */
export const accountYearlyTotals = pgTable("account_yearly_totals", { year: date("year").notNull(), ...totals() }, (t) => [
  primaryKey({ columns: [t.year, t.accountId, t.currency] }),
]);
