import { sql } from "drizzle-orm";
import { bigint, boolean, check, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

/**
 * Low-balance alert thresholds (GET|PUT /balance-alerts, at most 5 per account), minor
 * units of available balance. `armed`: the alert fires (balance.low) when a posting takes
 * available below `threshold` while armed, and is disarmed by it; a posting that brings
 * available back to >= threshold re-arms it (hysteresis). Both happen in the posting's
 * statement under the account row lock (db/ledger/post-entry.ts), so one crossing fires once.
 */
export const balanceAlerts = pgTable(
  "balance_alerts",
  {
    accountId: text("account_id").notNull().references(() => accounts.id),
    threshold: bigint("threshold", { mode: "number" }).notNull(),
    armed: boolean("armed").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.threshold] }), check("balance_alerts_threshold_positive", sql`${t.threshold} > 0`)],
);
