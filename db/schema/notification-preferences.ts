import { boolean, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * A user's choice to get (or not) one notified event type (db/notifications/enqueue.ts
 * NOTIFIED_EVENT_TYPES) on one channel, `email` or `push`, for every account they belong
 * to. No row = on (the default); deleted with the user. Protected events (PROTECTED_EVENT_TYPES) are emailed
 * whatever is stored (GET|PUT /notification-preferences, server/routes/notification-preferences).
 */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    eventType: text("event_type").notNull(),
    channel: text("channel", { enum: ["email", "push"] }).notNull(),
    enabled: boolean("enabled").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.eventType, t.channel] })],
);
