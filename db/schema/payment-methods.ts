import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, timestamp, uniqueIndex, boolean } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

/**
 * Cards saved for off-session charges (one-click and auto top-ups), recorded when a
 * checkout that saved the card settles. `providerPaymentMethodId` / `providerCustomerId`
 * are the provider's ids (Stripe `pm_...` / `cus_...`). At most one default per account;
 * the first saved card becomes it. Removing a card deletes the row.
 */
export const paymentMethods = pgTable(
  "payment_methods",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id),
    provider: text("provider").notNull(),
    providerPaymentMethodId: text("provider_payment_method_id").notNull(),
    providerCustomerId: text("provider_customer_id").notNull(),
    brand: text("brand").notNull(),
    last4: text("last4").notNull(),
    expMonth: integer("exp_month").notNull(),
    expYear: integer("exp_year").notNull(),
    isDefault: boolean("is_default").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("payment_methods_provider_pm_idx").on(t.accountId, t.providerPaymentMethodId),
    uniqueIndex("payment_methods_one_default_idx").on(t.accountId).where(sql`${t.isDefault}`),
    index("payment_methods_account_idx").on(t.accountId, t.createdAt),
  ],
);
