/**
 * The portal's messages: paraglide-js compiles messages/{en,de}.json (see
 * project.inlang) into src/lib/paraglide, and every component imports `m` from
 * here. The few messages that pick a wording from a code (a result, an event or
 * entry type) or format a parameter first are wrapped below; the rest are
 * paraglide's functions as generated.
 */
import { ApiError, type FieldIssue } from "./api";
import { formatLocale } from "./locale";
import { formatAmountPlain, formatMoney, majorToMinor, minorUnitDigits, type ParseAmountResult } from "./money";
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
  /** The dashboard's runway (src/lib/usage.ts runwayDays): null = no recent use. */
  usage_runway_text: (p: { days: number | null; locale: string }) =>
    p.days === null
      ? generated.usage_runway_none()
      : p.days === 0
        ? generated.usage_runway_zero()
        : p.days === 1
          ? generated.usage_runway_one()
          : generated.usage_runway_other({ days: new Intl.NumberFormat(p.locale).format(p.days) }),
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
  topup_status: (p: { status: string }) =>
    pick(
      {
        pending: generated.topup_status_pending,
        succeeded: generated.topup_status_succeeded,
        failed: generated.topup_status_failed,
        canceled: generated.topup_status_canceled,
        expired: generated.topup_status_expired,
      },
      p.status,
    ) ?? p.status,
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
  details_topup_kind_value: (p: { kind: string }) =>
    pick(
      {
        checkout: generated.details_topup_kind_checkout,
        saved_card: generated.details_topup_kind_saved_card,
        auto: generated.details_topup_kind_auto,
      },
      p.kind,
    ) ?? p.kind,
};

/** The server's English sentences shown to users (ledger descriptions, card declines), by their text. */
const SERVER_TEXTS: Record<string, () => string> = {
  "Top-up": generated.server_text_topup,
  "Hold captured": generated.server_text_hold_captured,
  "Your card was declined.": generated.server_text_card_declined,
  "Your card number is invalid.": generated.server_text_card_invalid,
  "Your card has insufficient funds.": generated.server_text_card_insufficient_funds,
  "Your card has expired.": generated.server_text_card_expired,
  "Your card's security code is incorrect.": generated.server_text_card_cvc,
  "We are unable to authenticate your payment method. Please choose a different payment method and try again.":
    generated.server_text_authentication_failed,
  "The payment was canceled.": generated.server_text_payment_canceled,
  "The payment failed after checkout.": generated.server_text_payment_failed_after_checkout,
  "The payment was not confirmed.": generated.server_text_payment_not_confirmed,
  "This payment requires authentication.": generated.server_text_requires_authentication,
  "The payment provider could not open a checkout session.": generated.server_text_checkout_unavailable,
  "The card was declined.": generated.server_text_generic_decline,
};

/**
 * A text the server wrote in English for people (a ledger entry's description set by
 * the service, a card decline from the payment provider, the reason auto top-up turned
 * itself off) in the UI language; texts it does not know (descriptions an API caller
 * chose) come back unchanged.
 */
export function translateServerText(text: string): string {
  const known = pick(SERVER_TEXTS, text.trim());
  if (known !== undefined) return known;
  // db/auto-topup/record-outcome.ts: "Turned off after 3 failed attempts in a row. Last: <reason>"
  const off = /^Turned off after (\d+) failed attempts in a row\. Last: (.*)$/s.exec(text);
  if (off) return generated.server_text_auto_off({ count: off[1]!, reason: translateServerText(off[2]!) });
  return text;
}

/** Fields of the API that hold money in minor units (their bounds are shown as money). */
const MONEY_FIELDS = new Set(["amount", "threshold", "targetBalance", "monthlyCap", "daily", "monthly"]);

/** The name of an API field in the UI language ("enabledEvents.0" -> "Events"); unknown ones as they are. */
function fieldName(field: string): string {
  const base = field.split(".")[0] ?? field;
  return (
    pick(
      {
        amount: generated.field_amount,
        name: generated.field_name,
        email: generated.field_email,
        password: generated.field_password,
        url: generated.field_url,
        endpoint: generated.field_url,
        description: generated.field_description,
        threshold: generated.field_threshold,
        targetBalance: generated.field_target_balance,
        monthlyCap: generated.field_monthly_cap,
        daily: generated.spend_limits_daily,
        monthly: generated.spend_limits_monthly,
        cooldownMinutes: generated.field_cooldown,
        scopes: generated.field_scopes,
        enabledEvents: generated.field_events,
        paymentMethodId: generated.field_card,
        legalName: generated.billing_legal_name,
        addressLine1: generated.billing_address_line1,
        addressLine2: generated.billing_address_line2,
        postalCode: generated.billing_postal_code,
        city: generated.billing_city,
        country: generated.billing_country,
        vatId: generated.billing_vat_id,
        billingEmail: generated.billing_email,
      },
      base,
    ) ?? field
  );
}

/**
 * One FieldIssue of a validation_error in the UI language, without the field's name:
 * bounds of money fields as money ("Minimum €1.00" for amount too_small 100), of
 * strings as a length. `currency` is the account's, for the money bounds.
 */
export function describeFieldIssue(issue: FieldIssue, currency?: string): string {
  const money = currency !== undefined && MONEY_FIELDS.has(issue.field);
  const bound = (value: number) => (money ? formatMoney(value, currency) : value.toLocaleString(formatLocale()));
  switch (issue.code) {
    case "too_small":
      if (issue.minimum === undefined) break;
      if (issue.origin === "string") return generated.field_error_min_length({ count: issue.minimum });
      if (issue.origin === "array" || issue.origin === "set") return generated.field_error_min_items({ count: issue.minimum });
      return money ? generated.amount_error_min({ amount: bound(issue.minimum) }) : generated.field_error_min_number({ value: bound(issue.minimum) });
    case "too_big":
      if (issue.maximum === undefined) break;
      if (issue.origin === "string") return generated.field_error_max_length({ count: issue.maximum });
      return money ? generated.amount_error_max({ amount: bound(issue.maximum) }) : generated.field_error_max_number({ value: bound(issue.maximum) });
    case "invalid_format":
      if (issue.format === "url") return generated.field_error_url();
      if (issue.format === "email") return generated.field_error_email();
      break;
    case "private_address":
      return generated.field_error_private_address();
    case "not_found":
      if (issue.field === "paymentMethodId") return generated.field_error_unknown_card();
      break;
    case "amount_xor_target":
      return generated.field_error_amount_or_target();
    case "custom":
      // db/documents/vat-id.ts: the VAT ID fails the format or check digits of the country.
      if (issue.field === "vatId") return generated.field_error_vat_id();
      break;
  }
  return generated.field_error_invalid();
}

/**
 * What is wrong with a typed amount (ParseAmountResult) in the UI language, checked in
 * the browser before anything is sent; `minMinor`/`maxMinor` are the operation's bounds
 * in minor units. Null when the amount is fine.
 */
export function describeAmountProblem(
  parsed: ParseAmountResult,
  currency: string,
  bounds: { minMinor?: number; maxMinor?: number } = {},
): string | null {
  if (parsed.ok) {
    if (bounds.minMinor !== undefined && parsed.amountMinor < bounds.minMinor) {
      return generated.amount_error_min({ amount: formatMoney(bounds.minMinor, currency) });
    }
    if (bounds.maxMinor !== undefined && parsed.amountMinor > bounds.maxMinor) {
      return generated.amount_error_max({ amount: formatMoney(bounds.maxMinor, currency) });
    }
    return null;
  }
  const digits = minorUnitDigits(currency);
  /** `major` and a half, e.g. 12.50 ("12" in JPY), in the user's notation. */
  const example = (major: number, grouping = false) =>
    formatAmountPlain(majorToMinor(major, currency) + Math.floor(majorToMinor(1, currency) / 2), currency, { grouping });
  switch (parsed.reason) {
    case "empty":
      return generated.topup_error_empty();
    case "too_many_decimals":
      return m.topup_error_decimals({ digits });
    case "zero":
      return generated.topup_error_zero();
    case "too_large":
      return generated.topup_error_large();
    case "ambiguous":
      return generated.amount_error_ambiguous({ example: example(1234, true) });
    default:
      return generated.topup_error_invalid({ example: example(12) });
  }
}

/**
 * A message for any thrown value, for people: known API codes get our wording; a
 * validation_error lists its fields' problems in the UI language (money bounds in
 * `currency`); otherwise the server's message (written for people too), else a generic one.
 */
export function describeError(err: unknown, options: { currency?: string } = {}): string {
  if (err instanceof ApiError) {
    const issues = err.fieldIssues;
    if (issues.length > 0) {
      return issues
        .map((issue) => generated.field_error_item({ field: fieldName(issue.field), problem: describeFieldIssue(issue, options.currency) }))
        .join(" ");
    }
    switch (err.code) {
      case "network_error":
        return m.error_network();
      case "timeout":
        return m.error_timeout();
      case "invalid_credentials":
        return m.error_invalid_credentials();
      case "email_taken":
        return m.error_email_taken();
      case "password_too_short":
        return m.error_password_short();
      case "password_blank":
        return m.error_password_blank();
      case "password_too_common":
        return m.error_password_too_common();
      case "rate_limited":
        return m.error_rate_limited();
      case "invalid_two_factor_code":
        return m.error_two_factor_code();
      case "login_challenge_expired":
        return m.error_login_challenge_expired();
      case "two_factor_required":
        return m.error_two_factor_required();
      case "two_factor_not_enabled":
        return m.error_two_factor_not_enabled();
      case "unauthenticated":
        return m.error_unauthenticated();
      case "forbidden":
      case "insufficient_scope":
        return m.error_forbidden();
      case "account_suspended":
        return m.error_suspended();
      case "provider_unavailable":
        return m.error_provider_unavailable();
      case "last_owner":
        return m.error_last_owner();
      case "already_member":
        return m.error_already_member();
      case "invitation_email_mismatch":
        return m.error_invitation_email_mismatch();
      case "account_not_empty":
        return m.error_account_not_empty();
      case "currency_locked":
        return m.error_currency_locked();
      case "account_closed":
        return m.error_account_closed();
    }
    if (err.status >= 500 || !err.message) return m.error_generic();
    return err.message;
  }
  return m.error_generic();
}
