import { formatMinor } from "../../db/currency";

export { formatMinor };
import type { EmailJob, NotificationContent } from "../../db/notifications/enqueue";
import { m } from "./paraglide/messages.js";

/** A file sent with an email (a receipt's PDF). */
export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** A rendered notification email: plain text (what every client shows well), and any files. */
export interface EmailMessage {
  subject: string;
  text: string;
  attachments?: EmailAttachment[];
}

/** A Web Push message's JSON payload, as the portal's service worker shows it. */
export interface PushMessage {
  title: string;
  body: string;
  /** Opened when the notification is clicked: the confirm link, else the portal. */
  url: string;
  /** One notification per kind of event: a newer one replaces an older one. */
  tag: string;
}

/**
 * The email for one notification job (db/notifications/enqueue.ts NOTIFIED_EVENT_TYPES),
 * in the recipient's language (`job.locale`, English by default; messages in
 * server/notifications/messages/*.json, compiled by paraglide-js): what happened, in the
 * account's currency, and what to do, with a link to the portal (`publicUrl`). Reasons
 * from payment providers stay as the provider wrote them.
 * @throws Error for an event type that is not notified (a bug: the job was enqueued for it)
 */
export function renderEmail(job: EmailJob, publicUrl: string): EmailMessage {
  const { subject, lines } = describe(job);
  const locale = { locale: job.locale ?? "en" };
  const text = [
    m.email_hello({ name: job.recipientName }, locale),
    "",
    ...lines,
    "",
    m.email_account_link({ url: `${publicUrl}/` }, locale),
    "",
    m.email_signature({}, locale),
  ];
  return { subject, text: text.join("\n") };
}

/**
 * The Web Push message for one notification: the email's subject as title and its first
 * line as body (push services cap payloads near 4 KB), in the subscriber's language.
 * @throws Error for an event type that is not notified
 */
export function renderPush(job: NotificationContent, publicUrl: string): PushMessage {
  const { subject, lines } = describe(job);
  const actionUrl = typeof job.data.actionUrl === "string" ? job.data.actionUrl : null;
  return { title: subject, body: lines[0]!, url: actionUrl ?? `${publicUrl}/`, tag: job.type };
}

/** What a notification says: a subject and lines of text. Amounts in `job.data` are minor units. */
function describe(job: NotificationContent): { subject: string; lines: string[] } {
  const locale = job.locale ?? "en";
  const options = { locale };
  const money = (key: string) => formatMinor(Number(job.data[key] ?? 0), job.currency, locale);
  const reason = typeof job.data.reason === "string" ? job.data.reason : "";
  const account = `"${job.accountName}"`;
  const amount = money("amount");
  const recovered = money("recovered");
  switch (job.type) {
    case "auto_topup.failed":
      return {
        subject: m.auto_topup_failed_subject({ amount }, options),
        lines: [
          m.auto_topup_failed_what({ amount, account, reason }, options),
          m.auto_topup_failed_next({}, options),
          m.auto_topup_failed_todo({}, options),
        ],
      };
    case "auto_topup.disabled":
      return {
        subject: m.auto_topup_disabled_subject({}, options),
        lines: [m.auto_topup_disabled_what({ account, reason }, options), m.auto_topup_disabled_todo({}, options)],
      };
    case "auto_topup.requires_action":
      return {
        subject: m.auto_topup_requires_action_subject({ amount }, options),
        lines: [
          m.auto_topup_requires_action_what({ amount, account }, options),
          typeof job.data.actionUrl === "string"
            ? m.auto_topup_requires_action_link({ url: job.data.actionUrl }, options)
            : m.auto_topup_requires_action_portal({}, options),
          m.auto_topup_requires_action_paused({}, options),
        ],
      };
    case "account.suspended":
      return {
        subject: m.account_suspended_subject({ account }, options),
        lines: [
          reason === "non_payment"
            ? m.account_suspended_non_payment({ account }, options)
            : m.account_suspended_operator({ account }, options),
        ],
      };
    case "account.reactivated":
      return {
        subject: m.account_reactivated_subject({ account }, options),
        lines: [
          reason === "paid"
            ? m.account_reactivated_paid({ account }, options)
            : m.account_reactivated_operator({ account }, options),
        ],
      };
    case "topup.succeeded":
      return {
        subject: m.topup_succeeded_subject({ amount }, options),
        lines: [
          m.topup_succeeded_what({ amount, account, balance: money("balance") }, options),
          ...(typeof job.data.receiptNumber === "string" ? [m.topup_succeeded_receipt({ number: job.data.receiptNumber }, options)] : []),
        ],
      };
    case "topup.refunded":
      return {
        subject: m.topup_refunded_subject({ amount }, options),
        lines: [m.topup_refunded_what({ amount, account }, options), m.topup_refunded_balance({ recovered }, options)],
      };
    case "topup.disputed":
      return {
        subject: m.topup_disputed_subject({ amount }, options),
        lines: [m.topup_disputed_what({ amount, account, recovered }, options), m.topup_disputed_todo({}, options)],
      };
    case "balance.low": {
      const available = money("available");
      return {
        subject: m.balance_low_subject({ available }, options),
        lines: [m.balance_low_what({ account, threshold: money("threshold"), available }, options), m.balance_low_todo({}, options)],
      };
    }
    case "webhook_endpoint.disabled":
      return {
        subject: m.webhook_endpoint_disabled_subject({}, options),
        lines: [
          m.webhook_endpoint_disabled_what({ url: String(job.data.url), reason }, options),
          m.webhook_endpoint_disabled_todo({}, options),
        ],
      };
    default:
      throw new Error(`no email for event type ${job.type}`);
  }
}
