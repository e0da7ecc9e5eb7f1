import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

/**
 * Where outgoing webhooks go (shared/DESIGN.md: "signed webhooks when something
 * happens"). `accountId` set: one customer account's events, managed in the portal;
 * `accountId` null: every account's events, managed by the operator (the platform cuts or
 * restores service on `account.suspended` / `account.reactivated`). `enabledEvents` holds
 * event types (db/webhooks/event-types.ts) or `*`. `secret` (`whsec_` + base64) signs
 * each delivery (Standard Webhooks); kept in clear because signing needs it, shown to
 * people once at creation.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").references(() => accounts.id),
    url: text("url").notNull(),
    description: text("description"),
    enabledEvents: text("enabled_events").array().notNull(),
    secret: text("secret").notNull(),
    /**
     * The secret replaced by the last roll (POST .../roll-secret), which still signs next to
     * `secret` until `previousSecretExpiresAt` (Standard Webhooks: several space-separated
     * signatures), so receivers can switch without losing a delivery; cleared after it.
     */
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /**
     * Set when an account's endpoint was turned off because its deliveries kept failing
     * (workers/deliver-webhook.ts); it gets no new events until turned on again.
     */
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    disabledReason: text("disabled_reason"),
  },
  (t) => [index("webhook_endpoints_account_id_idx").on(t.accountId)],
);
