/**
 * The portal's messages: paraglide-js compiles messages/{en,de}.json (see
 * project.inlang) into src/lib/paraglide, and every component imports `m` from
 * here. The few messages that pick a wording from a code (a result, an event or
 * entry type) or format a parameter first are wrapped below; the rest are
 * paraglide's functions as generated.
 */
import { ApiError } from "./api";
import { m as generated } from "./paraglide/messages.js";

/** Picks the message for `code`, or undefined when there is none. */
function pick(table: Record<string, (() => string) | undefined>, code: string): string | undefined {
  return Object.hasOwn(table, code) ? table[code]?.() : undefined;
}

export const m = {
  ...generated,
  card_label: (p: { brand: string; last4: string }) =>
    generated.card_label({ brand: p.brand.toUpperCase(), last4: p.last4 }),
  card_expires: (p: { month: number; year: number }) =>
    generated.card_expires({ month: String(p.month).padStart(2, "0"), year: p.year }),
  auto_result: (p: { result: string }) =>
    pick(
      {
        succeeded: generated.auto_result_succeeded,
        failed: generated.auto_result_failed,
        requires_action: generated.auto_result_requires_action,
        skipped: generated.auto_result_skipped,
      },
      p.result,
    ) ?? p.result,
  /** A `notification` notice from the live stream (auto top-up outcomes, refunds, disputes) in words. */
  live_notice: (p: { type: string; amount: string; reason: string }) =>
    pick(
      {
        "auto_topup.succeeded": () => generated.notice_auto_topup_succeeded(p),
        "auto_topup.failed": () => generated.notice_auto_topup_failed(p),
        "auto_topup.disabled": () => generated.notice_auto_topup_disabled(p),
        "auto_topup.requires_action": () => generated.notice_auto_topup_requires_action(p),
        "auto_topup.skipped": () => generated.notice_auto_topup_skipped(p),
        "topup.refunded": () => generated.notice_topup_refunded(p),
        "topup.disputed": () => generated.notice_topup_disputed(p),
        "topup.dispute_won": () => generated.notice_topup_dispute_won(p),
        "balance.low": () => generated.notice_balance_low(p),
      },
      p.type,
    ) ?? p.type,
  topup_error_decimals: (p: { digits: number }) =>
    p.digits === 0 ? generated.topup_error_no_decimals() : generated.topup_error_decimals(p),
  /** A webhook event type in words ("Top-up succeeded"); unknown types as they are. */
  webhook_event: (p: { type: string }) =>
    pick(
      {
        "account.suspended": generated.webhook_event_account_suspended,
        "account.reactivated": generated.webhook_event_account_reactivated,
        "topup.succeeded": generated.webhook_event_topup_succeeded,
        "topup.refunded": generated.webhook_event_topup_refunded,
        "topup.disputed": generated.webhook_event_topup_disputed,
        "topup.dispute_won": generated.webhook_event_topup_dispute_won,
        "balance.low": generated.webhook_event_balance_low,
        "auto_topup.succeeded": generated.webhook_event_auto_topup_succeeded,
        "auto_topup.failed": generated.webhook_event_auto_topup_failed,
        "auto_topup.requires_action": generated.webhook_event_auto_topup_requires_action,
        "auto_topup.disabled": generated.webhook_event_auto_topup_disabled,
        "webhook_endpoint.disabled": generated.webhook_event_webhook_endpoint_disabled,
        "webhook.test": generated.webhook_event_test,
        "*": generated.webhooks_events_all,
      },
      p.type,
    ) ?? p.type,
  webhook_status: (p: { status: string }) =>
    pick(
      {
        pending: generated.webhook_status_pending,
        succeeded: generated.webhook_status_succeeded,
        failed: generated.webhook_status_failed,
      },
      p.status,
    ) ?? p.status,
  entry_type: (p: { type: string }) =>
    pick(
      {
        topup: generated.entry_type_topup,
        usage: generated.entry_type_usage,
        promotion: generated.entry_type_promotion,
        adjustment: generated.entry_type_adjustment,
        refund: generated.entry_type_refund,
        dispute: generated.entry_type_dispute,
        capture: generated.entry_type_capture,
      },
      p.type,
    ) ?? p.type.charAt(0).toUpperCase() + p.type.slice(1).replace(/_/g, " "),
};

/**
 * A message for any thrown value, for people: known API codes get our wording;
 * otherwise the server's message (written for people too), else a generic one.
 */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case "network_error":
        return m.error_network();
      case "timeout":
        return m.error_timeout();
      case "invalid_credentials":
        return m.error_invalid_credentials();
      case "email_taken":
        return m.error_email_taken();
      case "rate_limited":
        return m.error_rate_limited();
      case "unauthenticated":
        return m.error_unauthenticated();
      case "forbidden":
      case "insufficient_scope":
        return m.error_forbidden();
      case "account_suspended":
        return m.error_suspended();
      case "provider_unavailable":
        return m.error_provider_unavailable();
    }
    if (err.status >= 500 || !err.message) return m.error_generic();
    return err.message;
  }
  return m.error_generic();
}
