import { sql } from "drizzle-orm";
import { check, index, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

/**
 * What a platform sells by the unit (`gpt-4o.input_tokens`, `voice.minutes`). Defined by
 * operators (server/routes/operator/meters.ts); `archived` meters keep their prices and
 * history but take no new usage.
 */
export const meters = pgTable(
  "meters",
  {
    key: text("key").primaryKey(),
    name: text("name").notNull(),
    unit: text("unit").notNull(),
    status: text("status", { enum: ["active", "archived"] }).notNull().default("active"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("meters_key_format", sql`${t.key} ~ '^[a-z0-9][a-z0-9._-]{0,63}$'`)],
);

/**
 * Price versions of a meter, per currency: `unit_amount` minor units per unit, exact
 * (numeric, up to 12 decimal places; Stripe's `unit_amount_decimal`). A new price is a new
 * row with a later `effective_from`; rows are never updated (the one in force at an
 * event's time is the latest with effective_from <= that time).
 */
export const meterPrices = pgTable(
  "meter_prices",
  {
    id: text("id").primaryKey(),
    meterKey: text("meter_key").notNull().references(() => meters.key),
    currency: text("currency").notNull(),
    unitAmount: numeric("unit_amount", { precision: 30, scale: 12 }).notNull(),
    effectiveFrom: timestamp("effective_from", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("meter_prices_meter_currency_from_idx").on(t.meterKey, t.currency, t.effectiveFrom),
    check("meter_prices_unit_amount_nonnegative", sql`${t.unitAmount} >= 0`),
    check("meter_prices_currency_iso", sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

/**
 * The fraction of a minor unit that priced usage of `meter_key` has cost an account but
 * not yet been debited, in [0, 1). Updated only under the account's row lock, in the
 * transaction that posts the priced debit (db/ledger/priced-debit.ts).
 */
export const usageRemainders = pgTable(
  "usage_remainders",
  {
    accountId: text("account_id").notNull().references(() => accounts.id),
    meterKey: text("meter_key").notNull().references(() => meters.key),
    remainder: numeric("remainder").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.meterKey] }),
    check("usage_remainders_fraction", sql`${t.remainder} >= 0 AND ${t.remainder} < 1`),
    index("usage_remainders_meter_idx").on(t.meterKey),
  ],
);
