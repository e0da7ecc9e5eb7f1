import type { Queryable } from "../client";
import { FieldError } from "../ledger/errors";

/** Default cooldown between auto top-up attempts: 60 minutes (shared/DESIGN.md, "Auto top-up"). */
export const DEFAULT_COOLDOWN_MINUTES = 60;

/** Auto top-up settings and state as the API shows them. Amounts in minor units; times ISO 8601. */
export interface AutoTopupSettings {
  enabled: boolean;
  /** Top up when a debit takes the balance below this. */
  threshold: number;
  /** Charge this much (plus any negative balance); exclusive with targetBalance. */
  amount: number | null;
  /** Charge up to this balance; exclusive with amount. */
  targetBalance: number | null;
  /** Our id of the card to charge; null = the account's default card. */
  paymentMethodId: string | null;
  cooldownMinutes: number;
  /** Most charged per calendar month (UTC); null = no cap. */
  monthlyCap: number | null;
  consecutiveFailures: number;
  /** Why it turned itself off (after 3 failures in a row), until re-enabled. */
  disabledReason: string | null;
  /** Set while paused: the link where the customer confirms the last charge. */
  actionUrl: string | null;
  lastAttemptAt: string | null;
  lastResult: "succeeded" | "failed" | "requires_action" | "skipped" | null;
  lastReason: string | null;
  /** Earliest time the next attempt may run (last attempt + cooldown); null = now. */
  nextEligibleAt: string | null;
}

export interface SettingsRow {
  account_id: string;
  enabled: boolean;
  threshold: number;
  amount: number | null;
  target_balance: number | null;
  payment_method_id: string | null;
  cooldown_minutes: number;
  monthly_cap: number | null;
  consecutive_failures: number;
  disabled_reason: string | null;
  action_url: string | null;
  last_attempt_at: Date | null;
  last_result: AutoTopupSettings["lastResult"];
  last_reason: string | null;
  last_topup_id: string | null;
}

/** When the cooldown after the last attempt ends, or null when there was none. */
export function nextEligibleAt(row: Pick<SettingsRow, "last_attempt_at" | "cooldown_minutes">): Date | null {
  return row.last_attempt_at ? new Date(row.last_attempt_at.getTime() + row.cooldown_minutes * 60_000) : null;
}

/** Maps a settings row to the API shape. */
export function toAutoTopupSettings(r: SettingsRow): AutoTopupSettings {
  return {
    enabled: r.enabled,
    threshold: r.threshold,
    amount: r.amount,
    targetBalance: r.target_balance,
    paymentMethodId: r.payment_method_id,
    cooldownMinutes: r.cooldown_minutes,
    monthlyCap: r.monthly_cap,
    consecutiveFailures: r.consecutive_failures,
    disabledReason: r.disabled_reason,
    actionUrl: r.action_url,
    lastAttemptAt: r.last_attempt_at?.toISOString() ?? null,
    lastResult: r.last_result,
    lastReason: r.last_reason,
    nextEligibleAt: nextEligibleAt(r)?.toISOString() ?? null,
  };
}

/** What GET answers for an account that never saved settings: off, nothing configured. */
const DEFAULTS: AutoTopupSettings = {
  enabled: false,
  threshold: 0,
  amount: null,
  targetBalance: null,
  paymentMethodId: null,
  cooldownMinutes: DEFAULT_COOLDOWN_MINUTES,
  monthlyCap: null,
  consecutiveFailures: 0,
  disabledReason: null,
  actionUrl: null,
  lastAttemptAt: null,
  lastResult: null,
  lastReason: null,
  nextEligibleAt: null,
};

/** The account's auto top-up settings (defaults when never saved). */
export async function getAutoTopupSettings(q: Queryable, accountId: string): Promise<AutoTopupSettings> {
  const [row] = await q<SettingsRow[]>`SELECT * FROM auto_topup_settings WHERE account_id = ${accountId}`;
  return row ? toAutoTopupSettings(row) : DEFAULTS;
}

export interface PutAutoTopupInput {
  enabled: boolean;
  threshold: number;
  amount?: number | null;
  targetBalance?: number | null;
  paymentMethodId?: string | null;
  cooldownMinutes?: number;
  monthlyCap?: number | null;
}

/**
 * Saves the settings (PUT /auto-topup). Enabling clears the failure count, the disabled
 * reason and a pause, so re-enabling is one click; the attempt history stays.
 * @throws FieldError validation_error (amount xor targetBalance; target above threshold;
 *   payment method not the account's)
 */
export async function putAutoTopupSettings(q: Queryable, accountId: string, input: PutAutoTopupInput): Promise<AutoTopupSettings> {
  const amount = input.amount ?? null;
  const target = input.targetBalance ?? null;
  if ((amount === null) === (target === null)) {
    throw new FieldError({ field: "amount", code: "amount_xor_target", message: "give exactly one of amount and targetBalance" });
  }
  if (target !== null && target <= input.threshold) {
    throw new FieldError({
      field: "targetBalance",
      code: "too_small",
      message: "must be above threshold",
      minimum: input.threshold + 1,
      origin: "number",
    });
  }
  const pm = input.paymentMethodId ?? null;
  if (pm) {
    const owned = await q`SELECT 1 FROM payment_methods WHERE id = ${pm} AND account_id = ${accountId}`;
    if (owned.length === 0) throw new FieldError({ field: "paymentMethodId", code: "not_found", message: "is not one of this account's cards" });
  }
  const [row] = await q<SettingsRow[]>`
    INSERT INTO auto_topup_settings AS s
      (account_id, enabled, threshold, amount, target_balance, payment_method_id, cooldown_minutes, monthly_cap)
    VALUES (${accountId}, ${input.enabled}, ${input.threshold}, ${amount}, ${target}, ${pm},
            ${input.cooldownMinutes ?? DEFAULT_COOLDOWN_MINUTES}, ${input.monthlyCap ?? null})
    ON CONFLICT (account_id) DO UPDATE SET
      enabled = excluded.enabled, threshold = excluded.threshold, amount = excluded.amount,
      target_balance = excluded.target_balance, payment_method_id = excluded.payment_method_id,
      cooldown_minutes = excluded.cooldown_minutes, monthly_cap = excluded.monthly_cap,
      consecutive_failures = CASE WHEN excluded.enabled AND NOT s.enabled THEN 0 ELSE s.consecutive_failures END,
      disabled_reason = CASE WHEN excluded.enabled THEN NULL ELSE s.disabled_reason END,
      action_url = CASE WHEN excluded.enabled AND NOT s.enabled THEN NULL ELSE s.action_url END,
      updated_at = now()
    RETURNING *`;
  return toAutoTopupSettings(row!);
}
