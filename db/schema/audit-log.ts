import { index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Who changed what, written in the same transaction as the change (a failed audit
 * rolls the change back). `actor` is `api_key` for the operator API key, `operator:<id>` for an operator user,
 * `user:<id>` for a portal user; `before`/`after` are the changed object's API shapes.
 * Listed newest first by `GET /operator/audit-log` (keyset on `(at, id)`).
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    targetId: text("target_id").notNull(),
    before: jsonb("before"),
    after: jsonb("after"),
    requestId: text("request_id"),
    /** The client IP of the request (server/client-ip.ts); null for changes made outside a request. */
    ip: text("ip"),
  },
  (t) => [
    index("audit_log_target_idx").on(t.targetId, t.at),
    index("audit_log_at_idx").on(t.at, t.id),
    index("audit_log_actor_idx").on(t.actor, t.at),
    index("audit_log_action_idx").on(t.action, t.at),
  ],
);
