import { sql } from "drizzle-orm";
import { check, foreignKey, index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { webhookEndpoints } from "./webhook-endpoints";

/**
 * One event for one webhook endpoint. The key (endpoint, event) makes an event reach an
 * endpoint at most once however often it is enqueued. `payload` is the exact JSON body
 * that is signed and sent on every attempt; the `webhook-id` header is `eventId`, the
 * same on every retry, so receivers can de-duplicate. `status`: pending until a 2xx
 * (succeeded) or until the last attempt fails (failed). Deleted with its endpoint.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    accountId: text("account_id"),
    eventType: text("event_type").notNull(),
    payload: text("payload").notNull(),
    status: text("status", { enum: ["pending", "succeeded", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.endpointId, t.eventId] }),
    index("webhook_deliveries_endpoint_created_idx").on(t.endpointId, t.createdAt),
    check("webhook_deliveries_attempts_check", sql`${t.attempts} >= 0`),
  ],
);

/**
 * Each HTTP attempt of a delivery: the status code (null when no response: timeout,
 * refused, DNS), the error, the first 1 KB of the response body, how long it took (ms).
 */
export const webhookDeliveryAttempts = pgTable(
  "webhook_delivery_attempts",
  {
    endpointId: text("endpoint_id").notNull(),
    eventId: text("event_id").notNull(),
    attempt: integer("attempt").notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
    responseBody: text("response_body"),
    durationMs: integer("duration_ms").notNull(),
    attemptedAt: timestamp("attempted_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.endpointId, t.eventId, t.attempt] }),
    foreignKey({
      columns: [t.endpointId, t.eventId],
      foreignColumns: [webhookDeliveries.endpointId, webhookDeliveries.eventId],
    }).onDelete("cascade"),
  ],
);
