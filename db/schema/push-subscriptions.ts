import { check, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { accounts } from "./accounts";
import { users } from "./users";

/**
 * A browser that receives Web Push notifications for one user on one account: the
 * PushSubscription the browser made (`endpoint` at its push service, the `p256dh` public
 * key and `auth` secret, base64url; RFC 8291). Unique by endpoint: a browser that
 * subscribes again replaces its row. Deleted when the push service answers 404 or 410
 * (the subscription expired) and with its user.
 */
export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    endpoint: text("endpoint").notNull().unique(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    userAgent: text("user_agent"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSentAt: timestamp("last_sent_at", { withTimezone: true }),
  },
  (t) => [index("push_subscriptions_account_idx").on(t.accountId)],
);

/**
 * The VAPID key pair (RFC 8292) this deployment signs Web Push requests with, when
 * VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY are not set: made once at first start and shared
 * by every instance (one row). Browsers subscribed with the public key stay valid only
 * as long as it does not change.
 */
export const vapidKeys = pgTable(
  "vapid_keys",
  {
    id: integer("id").primaryKey().default(1),
    publicKey: text("public_key").notNull(),
    privateKey: text("private_key").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("vapid_keys_single_row", sql`${t.id} = 1`)],
);
