import { sql } from "drizzle-orm";
import { bigint, check, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";
import { topups } from "./topups";

/**
 * A refund of unused balance to the card that paid a top-up, asked for by an operator
 * (db/ledger/refunds.ts). The balance is debited when it is created (`pending`), before
 * the provider is asked, so the money cannot be spent meanwhile; the submit_refund job
 * then refunds at the provider with the idempotency key `refund_<id>` (`succeeded`), or,
 * after its last failed attempt, credits the amount back (`failed`).
 */
export const refunds = pgTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    topupId: text("topup_id")
      .notNull()
      .references(() => topups.id),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    amount: bigint("amount", { mode: "number" }).notNull(),
    status: text("status", { enum: ["pending", "succeeded", "failed"] })
      .notNull()
      .default("pending"),
    providerRefundId: text("provider_refund_id"),
    failureReason: text("failure_reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("refunds_topup_idx").on(t.topupId), check("refunds_amount_positive", sql`${t.amount} > 0`)],
);
