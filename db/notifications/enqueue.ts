import type { Queryable } from "../client";
import { enqueueWebhookEvent, type WebhookEvent } from "../webhooks/enqueue";
import type { WebhookEventType } from "../webhooks/event-types";

/** The graphile-worker task that sends one notification email (workers/send-email.ts). */
export const SEND_EMAIL_TASK = "send_email";

/**
 * Attempts per email: 10. graphile-worker waits exp(attempt) s between them (about 6 h
 * in all), enough to ride out an SMTP relay restart without mailing a day late.
 */
export const EMAIL_MAX_ATTEMPTS = 10;

/**
 * Events that also email the account's owners and admins: the ones that need a person
 * to act or that change what the account can do (shared/DESIGN.md, "Auto top-up":
 * "disable it, record why, and notify"; "pauses it and notifies with a link to confirm").
 * A successful top-up is on the live stream and in webhooks, not in the inbox.
 */
export const EMAIL_EVENT_TYPES: readonly WebhookEventType[] = [
  "auto_topup.failed",
  "auto_topup.disabled",
  "auto_topup.requires_action",
  "account.suspended",
  "account.reactivated",
  "topup.refunded",
  "topup.disputed",
];

/** What one send_email job carries: everything the message needs, fixed when the event happened. */
export interface EmailJob {
  to: string;
  recipientName: string;
  accountId: string;
  accountName: string;
  currency: string;
  type: WebhookEventType;
  /** The webhook event id: the same event seen in webhooks and logs. */
  eventId: string;
  data: Record<string, unknown>;
}

/**
 * Inside the transaction of the change (transactional outbox, as webhooks): enqueues the
 * event's webhook deliveries (enqueueWebhookEvent) and, for EMAIL_EVENT_TYPES, one
 * send_email job per owner or admin of the account (viewers are not mailed), in one
 * statement; `emails: false` sends webhooks only (an event another email already covers). Rolled back with the change; nothing is sent for a change that did not
 * happen. Emails are at least once: a worker that dies after the SMTP server accepted
 * a message and before the job completed sends it again.
 * @returns the event id, webhook deliveries and emails enqueued
 */
export async function enqueueNotifications(
  tx: Queryable,
  event: WebhookEvent & { accountId: string },
  options: { emails?: boolean } = {},
): Promise<{ eventId: string; deliveries: number; emails: number }> {
  const sent = await enqueueWebhookEvent(tx, event);
  if (options.emails === false || !EMAIL_EVENT_TYPES.includes(event.type)) return { ...sent, emails: 0 };
  const rows = await tx`
    SELECT graphile_worker.add_job(${SEND_EMAIL_TASK},
             json_build_object('to', u.email, 'recipientName', u.name, 'accountId', a.id, 'accountName', a.name,
                               'currency', a.currency, 'type', ${event.type}::text, 'eventId', ${sent.eventId}::text,
                               'data', ${tx.json(event.data as Parameters<typeof tx.json>[0])}::json),
             max_attempts := ${EMAIL_MAX_ATTEMPTS}::int)
      FROM account_members m
      JOIN users u ON u.id = m.user_id
      JOIN accounts a ON a.id = m.account_id
     WHERE m.account_id = ${event.accountId} AND m.role IN ('owner', 'admin')`;
  return { ...sent, emails: rows.length };
}
