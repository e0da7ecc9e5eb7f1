import { sql } from "drizzle-orm";
import { bigint, boolean, check, date, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * Customer and system accounts. Amounts are minor units of `currency` (ISO 4217).
 *
 * - customer: holds `balance`, `held` and `overdraftLimit`; `sequence` is the number
 *   of ledger entries posted to it (gap-free, see db/ledger/README.md).
 * - system: the other side of every entry (stripe clearing, usage revenue, ...). Their
 *   balances are derived from the entries (never updated in place, so they are not a
 *   hot row); ids are deterministic: `sys_<code>_<currency>`.
 */
export const accounts = pgTable(
  "accounts",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["customer", "system"] }).notNull(),
    code: text("code"),
    name: text("name").notNull(),
    currency: text("currency").notNull(),
    balance: bigint("balance", { mode: "number" }).notNull().default(0),
    held: bigint("held", { mode: "number" }).notNull().default(0),
    overdraftLimit: bigint("overdraft_limit", { mode: "number" }).notNull().default(0),
    status: text("status", { enum: ["active", "suspended", "closed"] }).notNull().default("active"),
    sequence: bigint("sequence", { mode: "number" }).notNull().default(0),
    /** Why a suspended account is suspended: `operator` (staff decision) or `non_payment` (lifted by a top-up). */
    suspendedReason: text("suspended_reason", { enum: ["operator", "non_payment"] }),
    /**
     * Spend limits set by the customer (GET|PUT /spend-limits): most minor units of usage
     * per UTC day / calendar month (UTC), null = none. `spentDay` / `spentMonth` count the
     * usage debited in the day / month starting `spentDayStart` / `spentMonthStart`; the
     * usage debit updates and checks them in its one statement (db/ledger/post-entry.ts).
     */
    spendLimitDaily: bigint("spend_limit_daily", { mode: "number" }),
    spendLimitMonthly: bigint("spend_limit_monthly", { mode: "number" }),
    spentDay: bigint("spent_day", { mode: "number" }).notNull().default(0),
    spentDayStart: date("spent_day_start"),
    spentMonth: bigint("spent_month", { mode: "number" }).notNull().default(0),
    spentMonthStart: date("spent_month_start"),
    /** Set by an owner: every member must use two-factor log-in (TOTP) before using the portal. */
    requireTwoFactor: boolean("require_two_factor").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("accounts_system_code_currency_idx").on(t.code, t.currency),
    // operator search (GET /operator/accounts?q): trigram match on the name, prefix match on the id
    index("accounts_name_trgm_idx").using("gin", sql`${t.name} gin_trgm_ops`),
    index("accounts_id_prefix_idx").using("btree", sql`${t.id} text_pattern_ops`),
    // the operator list's default order (newest first, keyset). No index on balance or
    // updated_at on purpose: every posting changes them, and an index on either would turn
    // the debit's row update from HOT into one that rewrites every index of the table.
    index("accounts_customer_created_idx").on(t.createdAt, t.id).where(sql`${t.kind} = 'customer'`),
    check("accounts_currency_iso", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("accounts_held_nonnegative", sql`${t.held} >= 0`),
    check("accounts_overdraft_nonnegative", sql`${t.overdraftLimit} >= 0`),
    check(
      "accounts_available_within_overdraft",
      sql`${t.kind} = 'system' OR ${t.balance} - ${t.held} >= -${t.overdraftLimit}`,
    ),
    check("accounts_spend_limits_nonnegative", sql`${t.spendLimitDaily} >= 0 AND ${t.spendLimitMonthly} >= 0`),
    check("accounts_system_has_code", sql`(${t.kind} = 'system') = (${t.code} IS NOT NULL)`),
  ],
);
