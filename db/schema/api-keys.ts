import { sql } from "drizzle-orm";
import { bigint, check, date, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

/**
 * API keys for platforms. Only the SHA-256 (hex) of the secret is stored; the
 * secret itself is shown once at creation. `prefix` is the first characters of the
 * secret, kept so a person can tell keys apart.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    scopes: text("scopes").array().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    /**
     * The key's own spend limits (PUT /api-keys/{id}/spend-limits): most minor units of usage
     * this key may debit per UTC day / calendar month (UTC), null = none, on top of the
     * account's. Counted like the account's (db/schema/accounts.ts): `spentDay` / `spentMonth`
     * in the day / month starting `spentDayStart` / `spentMonthStart`, kept by the batch
     * posting under the key row's lock (db/ledger/post-usage-batch.ts).
     */
    spendLimitDaily: bigint("spend_limit_daily", { mode: "number" }),
    spendLimitMonthly: bigint("spend_limit_monthly", { mode: "number" }),
    spentDay: bigint("spent_day", { mode: "number" }).notNull().default(0),
    spentDayStart: date("spent_day_start"),
    spentMonth: bigint("spent_month", { mode: "number" }).notNull().default(0),
    spentMonthStart: date("spent_month_start"),
  },
  (t) => [
    index("api_keys_account_id_idx").on(t.accountId),
    check("api_keys_spend_limits_nonnegative", sql`${t.spendLimitDaily} >= 0 AND ${t.spendLimitMonthly} >= 0`),
  ],
);
