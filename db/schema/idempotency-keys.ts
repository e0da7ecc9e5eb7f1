import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Stored responses for requests sent with an `Idempotency-Key` header, per
 * principal (`scope`). Kept 24 h (Stripe's retention for the same header), then pruned
 * by the `prune_idempotency_keys` worker job. An `in_flight` row is leased to the
 * request that runs it (`lease_id`) until `locked_until`; after that a retry may take it
 * over (server/middleware/idempotency.ts).
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    status: text("status", { enum: ["in_flight", "done"] }).notNull(),
    responseStatus: integer("response_status"),
    responseBody: jsonb("response_body"),
    /** The running request's lease (random); the response is stored only under it. */
    leaseId: text("lease_id"),
    /** When an `in_flight` key's lease ends. Rows from before leases existed never expire early ('infinity'). */
    lockedUntil: timestamp("locked_until", { withTimezone: true }).notNull().default(sql`'infinity'`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);
