/**
 * Event types an endpoint can subscribe to (`enabledEvents`; `*` = all). Each is also the
 * `type` of the matching notice on the live stream (db/ledger/types.ts, AccountNotice).
 * `webhook.test` is not in the list: it is sent only to the endpoint being tested.
 */
export const WEBHOOK_EVENT_TYPES = [
  "account.suspended",
  "account.reactivated",
  "topup.succeeded",
  "topup.refunded",
  "topup.disputed",
  "topup.dispute_won",
  "auto_topup.succeeded",
  "auto_topup.failed",
  "auto_topup.requires_action",
  "auto_topup.disabled",
  "webhook_endpoint.disabled",
  "balance.low",
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number] | "webhook.test";

/** Subscribes an endpoint to every event type, present and future. */
export const ALL_EVENTS = "*";
