import type { Queryable, Sql } from "../client";
import { recordAudit } from "../audit/record-audit";
import { LedgerError } from "../ledger/errors";
import type { WebhookEventType } from "../webhooks/event-types";
import { NOTIFIED_EVENT_TYPES, PROTECTED_EVENT_TYPES, type NotificationChannel } from "./enqueue";

/** One notified event type for one user: whether it is emailed and pushed, and whether its email can be turned off. */
export interface NotificationPreference {
  eventType: WebhookEventType;
  email: boolean;
  push: boolean;
  /** A protected event (PROTECTED_EVENT_TYPES): always emailed. */
  emailRequired: boolean;
}

/** A change: one event type, one or both channels. */
export interface NotificationPreferenceChange {
  eventType: WebhookEventType;
  email?: boolean;
  push?: boolean;
}

/** 422 notification_protected: turning off the email of an event that protects the account. */
export class NotificationProtectedError extends LedgerError {
  constructor(eventType: string) {
    super("notification_protected", `The email for ${eventType} cannot be turned off: it protects the account.`, { eventType });
  }
}

/**
 * The user's preferences for every notified event type (NOTIFIED_EVENT_TYPES, in that
 * order): stored choices, the rest on.
 */
export async function getNotificationPreferences(q: Queryable, userId: string): Promise<NotificationPreference[]> {
  const rows = await q<{ event_type: string; channel: NotificationChannel; enabled: boolean }[]>`
    SELECT event_type, channel, enabled FROM notification_preferences WHERE user_id = ${userId}`;
  const off = new Set(rows.filter((r) => !r.enabled).map((r) => `${r.event_type}/${r.channel}`));
  return NOTIFIED_EVENT_TYPES.map((eventType) => {
    const emailRequired = PROTECTED_EVENT_TYPES.includes(eventType);
    return { eventType, email: emailRequired || !off.has(`${eventType}/email`), push: !off.has(`${eventType}/push`), emailRequired };
  });
}

/**
 * Stores the user's changes (event types among NOTIFIED_EVENT_TYPES, each at most once;
 * the route's schema checks both) (channels left out keep their setting) in one transaction,
 * audited as `notification_preferences.updated`; returns all preferences after it.
 * @throws NotificationProtectedError when a change turns off a protected event's email (nothing is stored)
 */
export async function setNotificationPreferences(
  sql: Sql,
  userId: string,
  changes: NotificationPreferenceChange[],
  by: { requestId?: string | null },
): Promise<NotificationPreference[]> {
  for (const change of changes) {
    if (change.email === false && PROTECTED_EVENT_TYPES.includes(change.eventType)) throw new NotificationProtectedError(change.eventType);
  }
  const rows = changes.flatMap((c) =>
    (["email", "push"] as const).flatMap((channel) => (c[channel] === undefined ? [] : [{ eventType: c.eventType, channel, enabled: c[channel] }])),
  );
  return sql.begin(async (tx) => {
    const before = await getNotificationPreferences(tx, userId);
    if (rows.length > 0) {
      await tx`
        INSERT INTO notification_preferences (user_id, event_type, channel, enabled)
        SELECT ${userId}, event_type, channel, enabled::boolean
          FROM unnest(${rows.map((r) => r.eventType)}::text[], ${rows.map((r) => r.channel)}::text[], ${rows.map((r) => String(r.enabled))}::text[])
               AS t(event_type, channel, enabled)
        ON CONFLICT (user_id, event_type, channel) DO UPDATE SET enabled = excluded.enabled, updated_at = now()`;
    }
    const after = await getNotificationPreferences(tx, userId);
    await recordAudit(tx, { actor: `user:${userId}`, action: "notification_preferences.updated", targetId: userId, before, after, requestId: by.requestId });
    return after;
  });
}
