import { sql } from "drizzle-orm";
import { bigint, check, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";
import { ledgerEntries } from "./ledger-entries";
import { topups } from "./topups";

/**
 * Money the payment provider took back from a settled top-up, or returned (db/ledger/
 * reverse-payment.ts): `refund` (Stripe `charge.refunded`; `providerRef` is
 * `<charge id>:<cumulative amount refunded>`), `dispute` (`charge.dispute.created`;
 * the dispute id) and `dispute_won` (`charge.dispute.closed` with status won; the
 * dispute id). `amount` is what the provider moved (minor units); `recovered` is what
 * the ledger entry took from (or gave back to) the customer's balance: a refund or
 * dispute takes at most what the account has available (balance - held +
 * overdraft limit), the rest was already spent and stays unrecovered. Unique on
 * (kind, providerRef): each is applied once.
 */
export const paymentReversals = pgTable(
  "payment_reversals",
  {
    id: text("id").primaryKey(),
    topupId: text("topup_id")
      .notNull()
      .references(() => topups.id),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    kind: text("kind", { enum: ["refund", "refund_failed", "dispute", "dispute_won"] }).notNull(),
    providerRef: text("provider_ref").notNull(),
    amount: bigint("amount", { mode: "number" }).notNull(),
    recovered: bigint("recovered", { mode: "number" }).notNull(),
    ledgerEntryId: text("ledger_entry_id").references(() => ledgerEntries.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("payment_reversals_kind_ref_idx").on(t.kind, t.providerRef),
    index("payment_reversals_topup_idx").on(t.topupId),
    check("payment_reversals_amount_positive", sql`${t.amount} > 0`),
    check("payment_reversals_recovered_range", sql`${t.recovered} >= 0 AND ${t.recovered} <= ${t.amount}`),
    check("payment_reversals_entry_iff_recovered", sql`(${t.ledgerEntryId} IS NULL) = (${t.recovered} = 0)`),
  ],
);
