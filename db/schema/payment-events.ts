import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Provider webhook events already processed, de-duplicated by the provider's event id. */
export const paymentEvents = pgTable("payment_events", {
  id: text("id").primaryKey(),
  provider: text("provider").notNull(),
  type: text("type").notNull(),
  receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
});
