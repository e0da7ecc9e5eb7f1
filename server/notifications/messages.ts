import { minorUnitDigits } from "../../db/currency";
import type { EmailJob, NotificationContent } from "../../db/notifications/enqueue";

/** A rendered notification email: plain text (what every client shows well). */
export interface EmailMessage {
  subject: string;
  text: string;
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
 * in English: what happened, in the account's currency, and what to do, with a link to
 * the portal (`publicUrl`).
 * @throws Error for an event type that is not notified (a bug: the job was enqueued for it)
 */
export function renderEmail(job: EmailJob, publicUrl: string): EmailMessage {
  const { subject, lines } = describe(job);
  const text = [`Hello ${job.recipientName},`, "", ...lines, "", `Your account: ${publicUrl}/`, "", "— Live balance"];
  return { subject, text: text.join("\n") };
}

/**
 * The Web Push message for one notification: the email's subject as title and its first
 * line as body (push services cap payloads near 4 KB).
 * @throws Error for an event type that is not notified
 */
export function renderPush(job: NotificationContent, publicUrl: string): PushMessage {
  const { subject, lines } = describe(job);
  const actionUrl = typeof job.data.actionUrl === "string" ? job.data.actionUrl : null;
  return { title: subject, body: lines[0]!, url: actionUrl ?? `${publicUrl}/`, tag: job.type };
}

/** What a notification says: a subject and lines of text. Amounts in `job.data` are minor units. */
function describe(job: NotificationContent): { subject: string; lines: string[] } {
  const money = (key: string) => formatMinor(Number(job.data[key] ?? 0), job.currency);
  const reason = typeof job.data.reason === "string" ? job.data.reason : "";
  const account = `"${job.accountName}"`;
  switch (job.type) {
    case "auto_topup.failed":
      return {
        subject: `Auto top-up of ${money("amount")} failed`,
        lines: [
          `The automatic top-up of ${money("amount")} for ${account} failed: ${reason}`,
          "It will try again after its cooldown; three failures in a row turn it off.",
          "To keep your service running, top up now or check your saved card.",
        ],
      };
    case "auto_topup.disabled":
      return {
        subject: "Auto top-up is turned off",
        lines: [
          `Automatic top-up for ${account} is turned off. ${reason}`,
          "Your balance will not be topped up automatically until you turn it on again",
          "in the portal (one click), after checking or replacing your card.",
        ],
      };
    case "auto_topup.requires_action":
      return {
        subject: `Please confirm the auto top-up of ${money("amount")}`,
        lines: [
          `Your bank asks you to confirm the automatic top-up of ${money("amount")} for ${account}.`,
          typeof job.data.actionUrl === "string"
            ? `Confirm it here: ${job.data.actionUrl}`
            : "Confirm it in the portal.",
          "Auto top-up is paused until then.",
        ],
      };
    case "account.suspended":
      return {
        subject: `Your account ${account} is suspended`,
        lines: [
          reason === "non_payment"
            ? `${account} has been below zero for too long and is suspended: usage is refused. A top-up that brings the balance back to zero or more restores it at once.`
            : `${account} was suspended by the platform: usage is refused. Please contact them.`,
        ],
      };
    case "account.reactivated":
      return {
        subject: `Your account ${account} is active again`,
        lines: [
          reason === "paid"
            ? `Thank you for your payment: ${account} is active again.`
            : `${account} was reactivated by the platform and is active again.`,
        ],
      };
    case "topup.refunded":
      return {
        subject: `Refund of ${money("amount")}`,
        lines: [
          `${money("amount")} of a top-up for ${account} was refunded to your card.`,
          `${money("recovered")} was taken from your balance.`,
        ],
      };
    case "topup.disputed":
      return {
        subject: `A card dispute withdrew ${money("amount")}`,
        lines: [
          `A card dispute on a top-up for ${account} withdrew ${money("amount")}; ${money("recovered")} was taken from your balance.`,
          "If you did not dispute this payment, please contact the platform.",
        ],
      };
    case "webhook_endpoint.disabled":
      return {
        subject: "A webhook endpoint was turned off",
        lines: [
          `Deliveries to ${String(job.data.url)} kept failing, so it gets no new events. ${reason}`,
          "Fix the endpoint, then turn it on again on the Webhooks page; failed deliveries can be sent again from there.",
        ],
      };
    default:
      throw new Error(`no email for event type ${job.type}`);
  }
}

/** Integer minor units as e.g. "€25.00" (en), the division done on a decimal string, never a float. */
export function formatMinor(amountMinor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const sign = amountMinor < 0 ? "-" : "";
  const units = String(Math.abs(amountMinor)).padStart(digits + 1, "0");
  const decimal = digits === 0 ? units : `${units.slice(0, -digits)}.${units.slice(-digits)}`;
  const format = new Intl.NumberFormat("en", { style: "currency", currency, minimumFractionDigits: digits });
  return format.format(`${sign}${decimal}` as Intl.StringNumericLiteral);
}
