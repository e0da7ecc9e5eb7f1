/**
 * The auto top-up form's fields (strings as typed) to a PUT /auto-topup body, checked in
 * the browser by the server's rules (server/routes/auto-topup/index.ts) so nothing
 * invalid is sent: amounts by the UI language's rules (parseAmountToMinor), bounds in
 * minor units, the cooldown whole minutes from 0 to 30 days.
 */
import type { AutoTopupInput, AutoTopupSettings } from "./api";
import { describeAmountProblem, m } from "./messages";
import { formatAmountPlain, majorToMinor, MAX_AMOUNT_MINOR, MAX_TOPUP_MINOR, MIN_TOPUP_MINOR, parseAmountToMinor } from "./money";

/** Longest cooldown in minutes: 30 days (server/routes/auto-topup/index.ts MAX_COOLDOWN_MINUTES). */
export const MAX_COOLDOWN_MINUTES = 30 * 24 * 60;

/** Failures in a row after which auto top-up turns itself off (db/auto-topup/record-outcome.ts). */
export const MAX_CONSECUTIVE_FAILURES = 3;

export interface AutoTopupFields {
  enabled: boolean;
  threshold: string;
  mode: "amount" | "target";
  amount: string;
  target: string;
  /** Empty: no monthly cap. */
  cap: string;
  /** "" = the default card. */
  paymentMethodId: string;
  cooldown: string;
}

export type AutoTopupFieldName = "threshold" | "amount" | "target" | "cap" | "cooldown";

export type AutoTopupCheck =
  | { ok: true; input: AutoTopupInput }
  | { ok: false; errors: Partial<Record<AutoTopupFieldName, string>> };

/** Form defaults before anything was saved: below 10.00, top up by 20.00, target 50.00, 60 minutes apart. */
export function defaultFields(currency: string): AutoTopupFields {
  const major = (n: number) => formatAmountPlain(majorToMinor(n, currency), currency);
  return { enabled: false, threshold: major(10), mode: "amount", amount: major(20), target: major(50), cap: "", paymentMethodId: "", cooldown: "60" };
}

/** The saved settings as form fields, amounts in the user's notation. */
export function fieldsOf(settings: AutoTopupSettings, currency: string): AutoTopupFields {
  const defaults = defaultFields(currency);
  // Never saved: the server answers its empty defaults (threshold 0, no amount); keep ours.
  if (settings.amount === null && settings.targetBalance === null) return { ...defaults, enabled: settings.enabled };
  const plain = (minor: number | null, fallback: string) => (minor === null ? fallback : formatAmountPlain(minor, currency));
  return {
    enabled: settings.enabled,
    threshold: formatAmountPlain(settings.threshold, currency),
    mode: settings.targetBalance !== null ? "target" : "amount",
    amount: plain(settings.amount, defaults.amount),
    target: plain(settings.targetBalance, defaults.target),
    cap: plain(settings.monthlyCap, ""),
    paymentMethodId: settings.paymentMethodId ?? "",
    cooldown: String(settings.cooldownMinutes),
  };
}

/** Checks every field at once; the PUT body when all are fine, else one message per bad field. */
export function checkAutoTopupFields(fields: AutoTopupFields, currency: string, locale?: string): AutoTopupCheck {
  const errors: Partial<Record<AutoTopupFieldName, string>> = {};
  const money = (field: AutoTopupFieldName, value: string, bounds: { minMinor?: number; maxMinor: number }) => {
    const parsed = parseAmountToMinor(value, currency, locale);
    // A threshold of zero is allowed: "when the balance falls below 0.00".
    if (!parsed.ok && parsed.reason === "zero" && bounds.minMinor === undefined) return 0;
    const problem = describeAmountProblem(parsed, currency, bounds);
    if (problem || !parsed.ok) {
      errors[field] = problem ?? m.field_error_invalid();
      return null;
    }
    return parsed.amountMinor;
  };

  const threshold = money("threshold", fields.threshold, { maxMinor: MAX_AMOUNT_MINOR });
  const amount = fields.mode === "amount" ? money("amount", fields.amount, { minMinor: MIN_TOPUP_MINOR, maxMinor: MAX_TOPUP_MINOR }) : null;
  const target = fields.mode === "target" ? money("target", fields.target, { minMinor: 1, maxMinor: MAX_AMOUNT_MINOR }) : null;
  if (target !== null && threshold !== null && target <= threshold) errors.target = m.auto_target_above();
  const cap = fields.cap.trim() === "" ? null : money("cap", fields.cap, { minMinor: MIN_TOPUP_MINOR, maxMinor: MAX_AMOUNT_MINOR });

  const cooldownText = fields.cooldown.trim();
  const cooldown = /^\d{1,6}$/.test(cooldownText) ? Number(cooldownText) : Number.NaN;
  if (!(cooldown >= 0 && cooldown <= MAX_COOLDOWN_MINUTES)) {
    errors.cooldown = m.auto_cooldown_invalid({ max: MAX_COOLDOWN_MINUTES });
  }

  if (Object.keys(errors).length > 0 || threshold === null) return { ok: false, errors };
  return {
    ok: true,
    input: {
      enabled: fields.enabled,
      threshold,
      amount: fields.mode === "amount" ? amount : null,
      targetBalance: fields.mode === "target" ? target : null,
      paymentMethodId: fields.paymentMethodId || null,
      cooldownMinutes: cooldown,
      monthlyCap: cap,
    },
  };
}
