/**
 * Spend limits in the portal: the account's (Settings) and each API key's (API keys page).
 * The form's two fields (strings as typed) become a PUT body checked by the server's rules
 * (server/routes/spend-limits/index.ts, server/routes/api-keys/index.ts: each limit null or
 * an integer 1 .. MAX_AMOUNT_MINOR minor units), so nothing invalid is sent; amounts are read
 * by the UI language's rules without floating point (money.ts parseAmountToMinor).
 */
import type { SpendLimitsInput } from "./api";
import { formatLocale } from "./locale";
import { describeAmountProblem, m } from "./messages";
import { formatAmountPlain, formatMoney, MAX_AMOUNT_MINOR, parseAmountToMinor } from "./money";

/** The two limits as typed, in major units; empty = no limit. */
export interface SpendLimitFields {
  daily: string;
  monthly: string;
}

export type SpendLimitFieldName = keyof SpendLimitFields;

export type SpendLimitCheck =
  { ok: true; input: SpendLimitsInput } | { ok: false; errors: Partial<Record<SpendLimitFieldName, string>> };

/** Limits and usage as both GET /spend-limits and an API key's `spendLimits` carry them; minor units. */
export interface LimitsAndUsage {
  daily: number | null;
  monthly: number | null;
  spentToday: number;
  spentThisMonth: number;
}

/** Saved limits as form fields in the user's notation ("50.00" / "50,00"); no limit is an empty field. */
export function limitFieldsOf(
  limits: { daily: number | null; monthly: number | null },
  currency: string,
): SpendLimitFields {
  const plain = (minor: number | null) => (minor === null ? "" : formatAmountPlain(minor, currency));
  return { daily: plain(limits.daily), monthly: plain(limits.monthly) };
}

/**
 * Checks both fields at once: the PUT body (minor units, null for an empty field) when both
 * are fine, else one message per bad field. Zero is refused (the API's minimum is 1 minor
 * unit; "no limit" is an empty field, "nothing at all" would be revoking the key).
 */
export function checkSpendLimitFields(fields: SpendLimitFields, currency: string, locale?: string): SpendLimitCheck {
  const errors: Partial<Record<SpendLimitFieldName, string>> = {};
  const limit = (field: SpendLimitFieldName): number | null => {
    const typed = fields[field];
    if (typed.trim() === "") return null;
    const parsed = parseAmountToMinor(typed, currency, locale);
    if (!parsed.ok && parsed.reason === "zero") {
      errors[field] = m.spend_limits_error_zero();
      return null;
    }
    // The parser's own "too large" speaks of one top-up; a limit's bound is the API's largest amount.
    if (!parsed.ok && parsed.reason === "too_large") {
      errors[field] = m.amount_error_max({ amount: formatMoney(MAX_AMOUNT_MINOR, currency) });
      return null;
    }
    const problem = describeAmountProblem(parsed, currency, { minMinor: 1, maxMinor: MAX_AMOUNT_MINOR });
    if (problem || !parsed.ok) {
      errors[field] = problem ?? m.field_error_invalid();
      return null;
    }
    return parsed.amountMinor;
  };
  const daily = limit("daily");
  const monthly = limit("monthly");
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: { daily, monthly } };
}

/**
 * How much of `limitMinor` `spentMinor` used, as a whole percentage 0..100 for a progress bar
 * (rounded down, so 100 means the limit is reached; more than the limit shows as 100).
 */
export function usedPercent(spentMinor: number, limitMinor: number): number {
  if (limitMinor <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((spentMinor * 100) / limitMinor)));
}

/** A whole percentage (0..100, e.g. from usedPercent) in the UI language's notation: "24%", "24 %". */
export function formatPercent(percent: number, locale: string = formatLocale()): string {
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 }).format(percent / 100);
}

/**
 * Whether usage is refused now: the usage of this UTC day or month reached its limit (the
 * server refuses any debit that would take usage beyond it, db/ledger/post-entry.ts).
 */
export function limitReached(limits: LimitsAndUsage): boolean {
  return (
    (limits.daily !== null && limits.spentToday >= limits.daily) ||
    (limits.monthly !== null && limits.spentThisMonth >= limits.monthly)
  );
}

/** Whether either limit is set. */
export function hasLimit(limits: { daily: number | null; monthly: number | null }): boolean {
  return limits.daily !== null || limits.monthly !== null;
}

/**
 * Both limits in one line, in the UI language: "€50.00 / day · no monthly limit",
 * "No daily limit · €500.00 / month", "No spend limits".
 */
export function describeLimits(limits: { daily: number | null; monthly: number | null }, currency: string): string {
  if (!hasLimit(limits)) return m.spend_limits_none();
  const daily =
    limits.daily === null
      ? m.spend_limits_no_daily()
      : m.spend_limits_per_day({ amount: formatMoney(limits.daily, currency) });
  const monthly =
    limits.monthly === null
      ? m.spend_limits_no_monthly()
      : m.spend_limits_per_month({ amount: formatMoney(limits.monthly, currency) });
  const line = `${daily} · ${monthly}`;
  return line.charAt(0).toLocaleUpperCase() + line.slice(1);
}
