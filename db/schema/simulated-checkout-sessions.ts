import { bigint, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * State of the simulated payment provider's checkout sessions (the default
 * provider, see server/payments/simulated.ts). Kept in PostgreSQL so any API
 * instance can serve the checkout page.
 */
export const simulatedCheckoutSessions = pgTable("simulated_checkout_sessions", {
  id: text("id").primaryKey(),
  amount: bigint("amount", { mode: "number" }).notNull(),
  currency: text("currency").notNull(),
  status: text("status", { enum: ["open", "complete", "expired"] }).notNull().default("open"),
  paymentStatus: text("payment_status", { enum: ["unpaid", "paid"] }).notNull().default("unpaid"),
  paymentIntentId: text("payment_intent_id"),
  metadata: jsonb("metadata").$type<Record<string, string>>().notNull(),
  successUrl: text("success_url").notNull(),
  cancelUrl: text("cancel_url").notNull(),
  lastError: text("last_error"),
  /** The page's language (Stripe Checkout's `locale`): the portal user's chosen one at creation. */
  locale: text("locale", { enum: ["en", "de"] }).notNull().default("en"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
