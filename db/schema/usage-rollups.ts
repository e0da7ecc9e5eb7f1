import { sql } from "drizzle-orm";
import { bigint, check, integer, numeric, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

/**
 * Usage per account, UTC hour, meter (null: plain amounts) and currency: the sum of the
 * usage ledger entries of that hour, kept so GET /usage/summary reads at most one row per
 * hour and meter instead of every entry. `quantity` is the exact sum of the entries'
 * quantities (null for plain amounts), `amount` the minor units debited (positive),
 * `entries` how many entries. Maintained by the statement-level AFTER INSERT trigger
 * `ledger_entries_rollups` on ledger_entries (ledger_rollups_add, migration 0023; before it,
 * its own trigger usage_rollups_add, migration 0014), so every way of
 * posting usage (debit, priced debit, batch) updates it in the posting's own transaction;
 * `npm run verify` checks that it equals the ledger (db/ledger/verify.ts).
 */
export const usageRollups = pgTable(
  "usage_rollups",
  {
    accountId: text("account_id").notNull().references(() => accounts.id),
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    meter: text("meter"),
    currency: text("currency").notNull(),
    quantity: numeric("quantity"),
    amount: bigint("amount", { mode: "number" }).notNull(),
    entries: integer("entries").notNull(),
  },
  (t) => [
    unique("usage_rollups_account_hour_meter_currency_key").on(t.accountId, t.hour, t.meter, t.currency).nullsNotDistinct(),
    check("usage_rollups_whole_hour", sql`${t.hour} = date_trunc('hour', ${t.hour}, 'UTC')`),
  ],
);
