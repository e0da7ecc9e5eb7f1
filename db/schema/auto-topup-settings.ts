import { sql } from "drizzle-orm";
import { bigint, boolean, check, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";
import { paymentMethods } from "./payment-methods";

/**
 * Auto top-up per account (shared/DESIGN.md, "Auto top-up"). When a debit takes the
 * balance from >= `threshold` to below it, the debit's own statement enqueues the
 * auto_topup job (db/ledger/post-entry.ts). Exactly one of `amount` (charge this much,
 * plus any negative balance) and `targetBalance` (charge up to this balance) is set.
 * `consecutiveFailures` reaching 3 sets enabled = false with `disabledReason`;
 * `actionUrl` set = paused until the customer confirms a payment (3-D Secure).
 * Amounts in minor units of the account's currency.
 */
export const autoTopupSettings = pgTable(
  "auto_topup_settings",
  {
    accountId: text("account_id").primaryKey().references(() => accounts.id),
    enabled: boolean("enabled").notNull().default(false),
    threshold: bigint("threshold", { mode: "number" }).notNull(),
    amount: bigint("amount", { mode: "number" }),
    targetBalance: bigint("target_balance", { mode: "number" }),
    paymentMethodId: text("payment_method_id").references(() => paymentMethods.id, { onDelete: "set null" }),
    cooldownMinutes: integer("cooldown_minutes").notNull().default(60),
    monthlyCap: bigint("monthly_cap", { mode: "number" }),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    disabledReason: text("disabled_reason"),
    actionUrl: text("action_url"),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    lastResult: text("last_result", { enum: ["succeeded", "failed", "requires_action", "skipped"] }),
    lastReason: text("last_reason"),
    lastTopupId: text("last_topup_id"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("auto_topup_amount_xor_target", sql`(${t.amount} IS NULL) <> (${t.targetBalance} IS NULL)`),
    check("auto_topup_amount_positive", sql`${t.amount} IS NULL OR ${t.amount} > 0`),
    check("auto_topup_target_above_threshold", sql`${t.targetBalance} IS NULL OR ${t.targetBalance} > ${t.threshold}`),
    check("auto_topup_cooldown_nonnegative", sql`${t.cooldownMinutes} >= 0`),
  ],
);
