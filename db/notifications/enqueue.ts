import type { Queryable } from "../client";
import { enqueueWebhookEvent, type WebhookEvent } from "../webhooks/enqueue";
import type { WebhookEventType } from "../webhooks/event-types";

/** The graphile-worker task that sends one notification email (workers/send-email.ts). */
export const SEND_EMAIL_TASK = "send_email";
/** The graphile-worker task that sends one Web Push message (workers/send-push.ts). */
export const SEND_PUSH_TASK = "send_push";

/**
 * Attempts per email: 10. graphile-worker waits exp(attempt) s between them (about 6 h
 * in all), enough to ride out an SMTP relay restart without mailing a day late.
 */
export const EMAIL_MAX_ATTEMPTS = 10;
/** Attempts per push message: 5 (about 4 min in all): a notification hours late is noise. */
export const PUSH_MAX_ATTEMPTS = 5;

/**
 * Events told to people, by email and Web Push: the ones that need someone to act or that
 * change what the account can do (shared/DESIGN.md, "Auto top-up": "disable it, record
 * why, and notify"; "pauses it and notifies with a link to confirm"), and a paid top-up,
 * whose email carries its receipt (issue 9: "the receipt is also attached to the top-up
 * success email"; checkout, one-click and auto top-ups all settle through settleTopup).
 */
export const NOTIFIED_EVENT_TYPES: readonly WebhookEventType[] = [
  "topup.succeeded",
  "auto_topup.failed",
  "auto_topup.disabled",
  "auto_topup.requires_action",
  "account.suspended",
  "account.reactivated",
  "topup.refunded",
  "topup.disputed",
  "webhook_endpoint.disabled",
  "balance.low",
];

/**
 * Events that protect the account: a user cannot turn their email off (PUT
 * /notification-preferences refuses with 422 notification_protected, and enqueueing
 * ignores a stored "off"), so nobody misses that auto top-up stopped or the account was
 * suspended. Their push messages can be turned off.
 */
export const PROTECTED_EVENT_TYPES: readonly WebhookEventType[] = ["auto_topup.disabled", "account.suspended"];

/** A notification channel a user can turn on or off per event type (notification_preferences). */
export type NotificationChannel = "email" | "push";

/**
 * SQL: true unless the user `u` (users, joined by the caller) turned `channel` off for
 * `type` (no row = on); always true for the email of a protected event.
 */
const wanted = (tx: Queryable, type: WebhookEventType, channel: NotificationChannel) =>
  channel === "email" && PROTECTED_EVENT_TYPES.includes(type)
    ? tx`true`
    : tx`NOT EXISTS (SELECT 1 FROM notification_preferences p
                      WHERE p.user_id = u.id AND p.event_type = ${type} AND p.channel = ${channel} AND NOT p.enabled)`;

/** What a notification says, fixed when the event happened (amounts in `data` are minor units). */
export interface NotificationContent {
  accountId: string;
  accountName: string;
  currency: string;
  type: WebhookEventType;
  /** The webhook event id: the same event seen in webhooks, emails and logs. */
  eventId: string;
  data: Record<string, unknown>;
  /** The recipient's language (users.locale); jobs enqueued before it existed lack it: English. */
  locale?: "en" | "de";
}

/** One send_email job: one recipient. */
export interface EmailJob extends NotificationContent {
  to: string;
  recipientName: string;
}

/** One send_push job: one browser subscription (push_subscriptions). */
export interface PushJob extends NotificationContent {
  subscriptionId: string;
}

/**
 * Inside the transaction of the change (transactional outbox, as webhooks): enqueues the
 * event's webhook deliveries (enqueueWebhookEvent) and, for NOTIFIED_EVENT_TYPES, one
 * send_email job per owner or admin of the account whose email is verified (viewers are
 * not mailed; unverified addresses neither, issue 12: "emails go only to verified
 * addresses") and one send_push job per browser subscribed to the account, leaving out
 * the users who turned that channel off for the event type (notification_preferences;
 * not the email of a PROTECTED_EVENT_TYPES event). Rolled back with the change: no
 * message for a change that did not happen. `notify: false` sends webhooks only (an event
 * another message already tells). Emails and pushes are at least once: a worker that dies
 * after the server accepted a message and before its job completed sends it again.
 * @returns the event id and how many webhook deliveries, emails and pushes were enqueued
 */
export async function enqueueNotifications(
  tx: Queryable,
  event: WebhookEvent & { accountId: string },
  options: { notify?: boolean } = {},
): Promise<{ eventId: string; deliveries: number; emails: number; pushes: number }> {
  const sent = await enqueueWebhookEvent(tx, event);
  if (options.notify === false || !NOTIFIED_EVENT_TYPES.includes(event.type)) return { ...sent, emails: 0, pushes: 0 };
  const content = tx`json_build_object('accountId', a.id, 'accountName', a.name, 'currency', a.currency,
                       'type', ${event.type}::text, 'eventId', ${sent.eventId}::text,
                       'data', ${tx.json(event.data as Parameters<typeof tx.json>[0])}::json)::jsonb`;
  const emails = await tx`
    SELECT graphile_worker.add_job(${SEND_EMAIL_TASK},
             (${content} || jsonb_build_object('to', u.email, 'recipientName', u.name, 'locale', u.locale))::json,
             max_attempts := ${EMAIL_MAX_ATTEMPTS}::int)
      FROM account_members m
      JOIN users u ON u.id = m.user_id
      JOIN accounts a ON a.id = m.account_id
     WHERE m.account_id = ${event.accountId} AND m.role IN ('owner', 'admin') AND u.email_verified_at IS NOT NULL
       AND ${wanted(tx, event.type, "email")}`;
  const pushes = await tx`
    SELECT graphile_worker.add_job(${SEND_PUSH_TASK},
                                   (${content} || jsonb_build_object('subscriptionId', s.id, 'locale', u.locale))::json,
                                   max_attempts := ${PUSH_MAX_ATTEMPTS}::int)
      FROM push_subscriptions s JOIN accounts a ON a.id = s.account_id JOIN users u ON u.id = s.user_id
     WHERE s.account_id = ${event.accountId} AND ${wanted(tx, event.type, "push")}`;
  return { ...sent, emails: emails.length, pushes: pushes.length };
}
