/**
 * Every user-visible string of the portal (English). Each message is a function,
 * parameters in one object, the shape paraglide-js generates, so adding
 * paraglide later means replacing this module's import with `$lib/paraglide/messages`.
 */
import { ApiError } from "./api";

export const m = {
  app_name: () => "Balance",
  app_tagline: () => "Prepaid balance, live.",

  // Navigation
  nav_main: () => "Main",
  nav_dashboard: () => "Dashboard",
  nav_transactions: () => "Transactions",
  nav_api_keys: () => "API keys",
  nav_payment_methods: () => "Cards",

  // Saved cards and one-click top-up
  cards_title: () => "Saved cards",
  cards_subtitle: () => "Cards saved at checkout, for one-click and auto top-ups.",
  cards_empty: () => "No saved card yet. Pay once through checkout and the card is saved here.",
  cards_default: () => "Default",
  cards_make_default: () => "Make default",
  cards_remove: () => "Remove",
  cards_add: () => "Add a card",
  card_label: (p: { brand: string; last4: string }) => `${p.brand.toUpperCase()} •••• ${p.last4}`,
  card_expires: (p: { month: number; year: number }) => `Expires ${String(p.month).padStart(2, "0")}/${p.year}`,
  one_click: (p: { amount: string; card: string }) => `Top up ${p.amount} with ${p.card}`,
  one_click_done: (p: { amount: string }) => `${p.amount} added to your balance.`,
  one_click_failed: (p: { reason: string }) => `The card was not charged: ${p.reason}`,
  one_click_action: () => "Your bank asks you to confirm this payment.",
  confirm_payment: () => "Confirm payment",

  // Auto top-up
  auto_title: () => "Auto top-up",
  auto_subtitle: () => "Charge your default card when the balance falls below a threshold.",
  auto_enabled: () => "Enabled",
  auto_threshold: () => "When the balance falls below",
  auto_amount: () => "Top up by",
  auto_cooldown: () => "Wait at least (minutes)",
  auto_cap: () => "Monthly cap (optional)",
  auto_save: () => "Save",
  auto_saved: () => "Auto top-up saved.",
  auto_no_card: () => "Save a card first: pay once through checkout.",
  auto_last: (p: { when: string; result: string }) => `Last attempt ${p.when}: ${p.result}`,
  auto_next: (p: { when: string }) => `Next attempt possible from ${p.when}`,
  auto_disabled: (p: { reason: string }) => `Auto top-up turned itself off. ${p.reason}`,
  auto_reenable: () => "Turn back on",
  auto_paused: () => "Auto top-up is paused until you confirm the last payment.",
  auto_result: (p: { result: string }) =>
    ({ succeeded: "succeeded", failed: "failed", requires_action: "needs your confirmation", skipped: "skipped" })[p.result] ?? p.result,
  notice_auto_topup: (p: { type: string; amount: string; reason: string }) =>
    ({
      "auto_topup.succeeded": `Auto top-up of ${p.amount} succeeded.`,
      "auto_topup.failed": `Auto top-up of ${p.amount} failed: ${p.reason}`,
      "auto_topup.disabled": `Auto top-up turned off: ${p.reason}`,
      "auto_topup.requires_action": `Auto top-up of ${p.amount} needs your confirmation.`,
      "auto_topup.skipped": `Auto top-up skipped: ${p.reason}`,
    })[p.type] ?? p.type,
  nav_logout: () => "Log out",
  nav_logging_out: () => "Logging out…",
  nav_account: (p: { name: string; email: string }) => `Signed in to ${p.name} as ${p.email}`,
  skip_to_content: () => "Skip to content",

  // Auth
  login_title: () => "Log in to your account",
  login_subtitle: () => "Watch your balance live and top up in seconds.",
  login_submit: () => "Log in",
  login_submitting: () => "Logging in…",
  login_no_account: () => "New here?",
  login_to_signup: () => "Create an account",
  signup_title: () => "Create your account",
  signup_subtitle: () => "Prepaid, no surprises. Top up when you want.",
  signup_submit: () => "Create account",
  signup_submitting: () => "Creating account…",
  signup_have_account: () => "Already have an account?",
  signup_to_login: () => "Log in",
  field_email: () => "Email",
  field_password: () => "Password",
  field_password_hint: () => "At least 8 characters.",
  field_name: () => "Name",
  field_name_hint: () => "Shown on your account and statements.",
  field_currency: () => "Account currency",
  field_currency_hint: () => "Your balance is kept in this currency. It can't be changed later.",
  error_email_required: () => "Enter your email address.",
  error_email_invalid: () => "Enter a valid email address.",
  error_password_required: () => "Enter your password.",
  error_password_short: () => "Use at least 8 characters.",
  error_name_required: () => "Enter your name.",
  error_form_summary: () => "Please fix the highlighted fields.",

  // Dashboard
  dashboard_title: () => "Dashboard",
  balance_label: () => "Current balance",
  balance_held: () => "Held",
  balance_available: () => "Available",
  balance_held_hint: () => "Reserved for work in progress; released or captured when it finishes.",
  balance_overdraft: (p: { amount: string }) => `Overdraft limit ${p.amount}`,
  balance_changed: (p: { delta: string }) => `Balance changed by ${p.delta}`,
  balance_footer: (p: { currency: string; code: string }) =>
    `Kept in ${p.currency} (${p.code}). Updates appear here the moment they happen.`,
  balance_last_activity: () => "Last activity",
  balance_empty_hint: () => "Add funds to start using the service.",
  balance_unavailable: () => "Balance unavailable",
  account_suspended: () =>
    "This account is suspended. Usage is blocked until it is reactivated; contact support.",
  account_closed: () => "This account is closed.",
  connection_live: () => "Live",
  connection_connecting: () => "Connecting…",
  connection_reconnecting: () => "Reconnecting…",
  connection_live_hint: () => "Balance updates arrive the moment they happen.",
  connection_reconnecting_hint: () =>
    "The live connection dropped. Showing the last known balance while we reconnect.",

  topup_title: () => "Add funds",
  topup_subtitle: () => "Pay securely by card. Funds are available as soon as the payment succeeds.",
  topup_quick: (p: { amount: string }) => `Top up ${p.amount}`,
  topup_custom_label: () => "Custom amount",
  topup_custom_submit: () => "Top up",
  topup_custom_submit_amount: (p: { amount: string }) => `Top up ${p.amount}`,
  topup_redirecting: () => "Redirecting to checkout…",
  topup_error_empty: () => "Enter an amount.",
  topup_error_invalid: (p: { example: string }) => `Enter an amount like ${p.example}.`,
  topup_error_decimals: (p: { digits: number }) =>
    p.digits === 0 ? "This currency has no decimal places." : `Use at most ${p.digits} decimal places.`,
  topup_error_zero: () => "The amount must be more than zero.",
  topup_error_large: () => "That amount is too large for one top-up.",
  topup_received: (p: { amount: string }) => `Top-up of ${p.amount} received`,
  topup_received_detail: () => "It has been added to your balance.",
  topup_pending: (p: { amount: string }) => `Top-up of ${p.amount} pending`,
  topup_pending_detail: () =>
    "We're waiting for the payment to be confirmed. Your balance updates automatically.",
  topup_failed: (p: { amount: string }) => `Top-up of ${p.amount} failed`,
  topup_failed_detail: () => "The payment didn't go through and you were not charged. Try another card.",
  topup_canceled: (p: { amount: string }) => `Top-up of ${p.amount} canceled`,
  topup_canceled_detail: () => "You left checkout before paying. Nothing was charged.",
  topup_expired: (p: { amount: string }) => `Top-up of ${p.amount} expired`,
  topup_expired_detail: () => "The checkout session timed out. Nothing was charged.",
  topup_lookup_failed: () => "We couldn't check the status of your top-up.",
  dismiss: () => "Dismiss",

  recent_title: () => "Recent activity",
  recent_view_all: () => "View all",

  // Transactions
  transactions_title: () => "Transactions",
  transactions_subtitle: () => "Every change to your balance, newest first.",
  transactions_empty_title: () => "No transactions yet",
  transactions_empty_body: () => "Top-ups and usage will appear here as soon as they happen.",
  transactions_empty_filtered_title: () => "No matching transactions",
  transactions_empty_filtered_body: () => "Try a different type or date range.",
  transactions_load_more: () => "Load more",
  transactions_loading_more: () => "Loading…",
  transactions_end: () => "You've reached the beginning of your history.",
  transactions_balance_after: (p: { amount: string }) => `Balance ${p.amount}`,
  filter_label: () => "Filter transactions",
  filter_type: () => "Type",
  filter_type_all: () => "All types",
  filter_from: () => "From",
  filter_to: () => "To",
  filter_apply: () => "Apply",
  filter_reset: () => "Reset",
  filter_error_range: () => "The start date must be on or before the end date.",
  entry_type: (p: { type: string }) => entryTypeLabel(p.type),
  entry_credit: () => "Credit",
  entry_debit: () => "Debit",

  // API keys
  api_keys_title: () => "API keys",
  api_keys_subtitle: () =>
    "Keys let your platform report usage and read this balance. Keep them secret, like a password.",
  api_keys_create_title: () => "Create a key",
  api_keys_name: () => "Key name",
  api_keys_name_placeholder: () => "e.g. Production server",
  api_keys_name_required: () => "Give the key a name so you can recognise it later.",
  api_keys_scopes: () => "Permissions",
  api_keys_scope_required: () => "Choose at least one permission.",
  api_keys_scope_usage_write: () => "Report usage (debit the balance)",
  api_keys_scope_balance_read: () => "Read the balance",
  api_keys_create: () => "Create key",
  api_keys_creating: () => "Creating…",
  api_keys_secret_title: (p: { name: string }) => `Your new key "${p.name}"`,
  api_keys_secret_warning: () =>
    "Copy this key now and store it somewhere safe. For your security it won't be shown again.",
  api_keys_secret_label: () => "Secret key",
  api_keys_copy: () => "Copy",
  api_keys_copied: () => "Copied",
  api_keys_copy_failed: () => "Copy failed. Select the key and copy it manually.",
  api_keys_done: () => "I've saved it",
  api_keys_list_title: () => "Your keys",
  api_keys_empty_title: () => "No API keys yet",
  api_keys_empty_body: () => "Create a key to connect your platform.",
  api_keys_col_name: () => "Name",
  api_keys_col_key: () => "Key",
  api_keys_col_scopes: () => "Permissions",
  api_keys_col_created: () => "Created",
  api_keys_col_last_used: () => "Last used",
  api_keys_col_status: () => "Status",
  api_keys_never_used: () => "Never",
  api_keys_active: () => "Active",
  api_keys_revoked: () => "Revoked",
  api_keys_revoked_on: (p: { date: string }) => `Revoked ${p.date}`,
  api_keys_revoke: () => "Revoke",
  api_keys_revoke_label: (p: { name: string }) => `Revoke key ${p.name}`,
  api_keys_revoke_title: (p: { name: string }) => `Revoke "${p.name}"?`,
  api_keys_revoke_body: () =>
    "Requests using this key will be rejected immediately. This can't be undone.",
  api_keys_revoke_confirm: () => "Revoke key",
  api_keys_revoking: () => "Revoking…",
  cancel: () => "Cancel",

  // Generic
  loading: () => "Loading…",
  retry: () => "Try again",
  error_generic: () => "Something went wrong. Please try again.",
  error_network: () => "We couldn't reach the server. Check your connection and try again.",
  error_timeout: () => "The server took too long to respond. Please try again.",
  error_invalid_credentials: () => "That email and password don't match an account.",
  error_email_taken: () => "An account with this email already exists. Log in instead?",
  error_rate_limited: () => "Too many attempts. Wait a moment and try again.",
  error_unauthenticated: () => "Your session has ended. Please log in again.",
  error_forbidden: () => "You don't have permission to do that.",
  error_suspended: () => "This account is suspended.",
  error_provider_unavailable: () =>
    "The payment provider is unavailable right now. Please try again in a minute.",
  error_request_id: (p: { id: string }) => `Reference: ${p.id}`,
  error_page_title: () => "Something went wrong",
  error_page_not_found: () => "Page not found",
  error_page_home: () => "Go to dashboard",
};

const ENTRY_TYPE_LABELS: Record<string, string> = {
  topup: "Top-up",
  usage: "Usage",
  promotion: "Bonus",
  adjustment: "Adjustment",
  refund: "Refund",
  capture: "Usage (captured hold)",
};

function entryTypeLabel(type: string): string {
  return ENTRY_TYPE_LABELS[type] ?? type.charAt(0).toUpperCase() + type.slice(1).replace(/_/g, " ");
}

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
