import { bigint, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Off-session payment intents of the simulated provider (server/payments/simulated-charge.ts),
 * unique on the caller's idempotency key as Stripe's are, so a retried charge returns the
 * first intent instead of charging again.
 */
export const simulatedPaymentIntents = pgTable("simulated_payment_intents", {
  id: text("id").primaryKey(),
  idempotencyKey: text("idempotency_key").notNull().unique(),
  amount: bigint("amount", { mode: "number" }).notNull(),
  currency: text("currency").notNull(),
  customer: text("customer").notNull(),
  paymentMethod: text("payment_method").notNull(),
  status: text("status", { enum: ["succeeded", "requires_action", "failed"] }).notNull(),
  lastError: text("last_error"),
  metadata: jsonb("metadata").$type<Record<string, string>>().notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Refunds made at the simulated provider (server/payments/simulated-charge.ts), unique on
 * the caller's idempotency key as Stripe's are: a retried refund returns the first one.
 */
export const simulatedRefunds = pgTable("simulated_refunds", {
  id: text("id").primaryKey(),
  idempotencyKey: text("idempotency_key").notNull().unique(),
  paymentIntentId: text("payment_intent_id").notNull(),
  amount: bigint("amount", { mode: "number" }).notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
