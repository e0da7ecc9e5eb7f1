import { sql } from "drizzle-orm";
import { bigint, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";
import { ledgerEntries } from "./ledger-entries";

/**
 * A top-up: money a customer pays through the payment provider. Created `pending`
 * with a checkout session; settled exactly once (`succeeded`, with `ledgerEntryId`)
 * by whichever of the webhook or the checkout return path gets there first. Off-session
 * charges (one-click, auto top-up) are recorded here before the provider is called; the
 * id is the provider idempotency key (`topup_<id>`).
 */
export const topups = pgTable(
  "topups",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id),
    amount: bigint("amount", { mode: "number" }).notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: ["pending", "succeeded", "failed", "canceled", "expired"] })
      .notNull()
      .default("pending"),
    provider: text("provider").notNull(),
    providerSessionId: text("provider_session_id").unique(),
    providerPaymentId: text("provider_payment_id").unique(),
    checkoutUrl: text("checkout_url"),
    /** checkout (hosted page), saved_card (one click) or auto (the auto top-up job). */
    kind: text("kind", { enum: ["checkout", "saved_card", "auto"] }).notNull().default("checkout"),
    /** The saved card charged off-session (kinds saved_card and auto). */
    paymentMethodId: text("payment_method_id"),
    /** Where the customer confirms a charge that needs authentication (3-D Secure). */
    actionUrl: text("action_url"),
    failureReason: text("failure_reason"),
    /**
     * The Idempotency-Key of the request that started it (POST /topups): a retry after the
     * first request died finds this top-up and drives it on, with the same provider key.
     */
    idempotencyKey: text("idempotency_key"),
    ledgerEntryId: text("ledger_entry_id").references(() => ledgerEntries.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    settledAt: timestamp("settled_at", { withTimezone: true }),
  },
  (t) => [
    index("topups_account_id_idx").on(t.accountId, t.createdAt),
    uniqueIndex("topups_idempotency_key_idx").on(t.accountId, t.idempotencyKey),
    index("topups_pending_auto_idx").on(t.accountId).where(sql`${t.kind} = 'auto' AND ${t.status} = 'pending'`),
  ],
);
