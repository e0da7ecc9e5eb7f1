/**
 * Money in the portal is an integer count of a currency's minor units (cents for
 * EUR), exactly as on the wire. The only non-integer step is the final division
 * for display inside `formatMoney`; parsing user input is pure string handling.
 */
import { formatLocale, uiLanguage } from "./locale";

/** Largest amount the API accepts in one operation (db/money.ts MAX_AMOUNT_MINOR). */
export const MAX_AMOUNT_MINOR = 10_000_000_000;

/** Bounds of one top-up in minor units (db/ledger/create-topup.ts MIN_TOPUP_MINOR, MAX_TOPUP_MINOR). */
export const MIN_TOPUP_MINOR = 100;
export const MAX_TOPUP_MINOR = 100_000_000;

/**
 * Top-ups from this many major units up are confirmed before checkout: a typo such as
 * a thousands separator read as a decimal one should cost a click, not a payment.
 */
export const CONFIRM_TOPUP_FROM_MAJOR = 1000;

const digitsCache = new Map<string, number>();

/** Digits after the decimal point for a currency (EUR 2, JPY 0, KWD 3), from Intl. */
export function minorUnitDigits(currency: string): number {
  const cached = digitsCache.get(currency);
  if (cached !== undefined) return cached;
  let digits = 2;
  try {
    digits =
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
  } catch {
    // Unknown code: keep the common default rather than break the page.
  }
  digitsCache.set(currency, digits);
  return digits;
}

export interface FormatMoneyOptions {
  /** Always show a sign (+/−) for non-zero amounts, e.g. ledger entries. */
  signed?: boolean;
  /** Drop the fraction when it is zero ("€10" instead of "€10.00"), for buttons. */
  compact?: boolean;
  /** BCP 47 locale; defaults to the browser's language. */
  locale?: string;
}

/**
 * Formats integer minor units for display, e.g. (2500, "EUR") -> "25,00 €" in de-DE
 * or "€25.00" in en-US.
 */
export function formatMoney(
  amountMinor: number,
  currency: string,
  options: FormatMoneyOptions = {},
): string {
  const digits = minorUnitDigits(currency);
  const isWhole = amountMinor % 10 ** digits === 0;
  try {
    const format = new Intl.NumberFormat(options.locale ?? formatLocale(), {
      style: "currency",
      currency,
      signDisplay: options.signed ? "exceptZero" : "auto",
      minimumFractionDigits: options.compact && isWhole ? 0 : digits,
      maximumFractionDigits: digits,
    });
    return format.format(amountMinor / 10 ** digits);
  } catch {
    return `${(amountMinor / 10 ** digits).toFixed(digits)} ${currency}`;
  }
}

/** The currency's symbol in the user's locale ("€", "$", "CHF"), for input adornments. */
export function currencySymbol(currency: string): string {
  try {
    const parts = new Intl.NumberFormat(formatLocale(), {
      style: "currency",
      currency,
    }).formatToParts(0);
    return parts.find((p) => p.type === "currency")?.value ?? currency;
  } catch {
    return currency;
  }
}

/** Human name of a currency in the UI language ("Euro"), falling back to the code. */
export function currencyName(currency: string): string {
  try {
    return new Intl.DisplayNames(uiLanguage(), { type: "currency" }).of(currency) ?? currency;
  } catch {
    return currency;
  }
}

export type ParseAmountResult =
  | { ok: true; amountMinor: number }
  | { ok: false; reason: "empty" | "invalid" | "ambiguous" | "too_many_decimals" | "zero" | "too_large" };

/** The decimal and grouping separators of a locale ("en": "." and ","; "de": "," and "."). */
export function separatorsOf(locale: string): { decimal: string; group: string } {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
  const decimal = parts.find((p) => p.type === "decimal")?.value ?? ".";
  const group = parts.find((p) => p.type === "group")?.value ?? (decimal === "." ? "," : ".");
  return { decimal, group };
}

/**
 * Parses a typed amount in major units into integer minor units without floating
 * point, by the rules of `locale` (the UI language by default): in English "1,234.50",
 * in German "1.234,50". Spaces (also NBSP, narrow NBSP) and apostrophes (Swiss grouping) are ignored.
 *
 * The decimal separator may appear once, followed by at most the currency's digits;
 * grouping separators only in the integer part, in groups of three. A decimal
 * separator followed by exactly three digits when the currency has fewer decimals
 * ("10.999" or "1.000" in English, "1,000" in German) is `ambiguous`: it is the
 * thousands notation of the other language, so it is refused rather than guessed.
 */
export function parseAmountToMinor(input: string, currency: string, locale: string = formatLocale()): ParseAmountResult {
  const digits = minorUnitDigits(currency);
  const s = input.replace(/[\s\u00a0\u202f'\u2019]/g, "");
  if (s === "") return { ok: false, reason: "empty" };
  if (!/^[\d.,]+$/.test(s)) return { ok: false, reason: "invalid" };
  const { decimal, group } = separatorsOf(locale);

  const [head = "", fraction = "", ...rest] = s.split(decimal);
  if (rest.length > 0) return { ok: false, reason: "invalid" };
  if (s.includes(decimal) && !/^\d+$/.test(fraction)) return { ok: false, reason: "invalid" };
  const grouped = new RegExp(`^\\d{1,3}(\\${group}\\d{3})+$`);
  if (head !== "" && !/^\d+$/.test(head) && !grouped.test(head)) return { ok: false, reason: "invalid" };
  if (fraction.length > digits) {
    const foreignGrouping = fraction.length === 3 && /^\d{1,3}$/.test(head);
    return { ok: false, reason: foreignGrouping ? "ambiguous" : "too_many_decimals" };
  }

  const integerPart = head.split(group).join("") || "0";
  const minorString = (integerPart + fraction.padEnd(digits, "0")).replace(/^0+(?=\d)/, "");
  // Compare as strings first so absurdly long inputs never reach Number().
  if (minorString.length > String(MAX_AMOUNT_MINOR).length) return { ok: false, reason: "too_large" };
  const amountMinor = Number(minorString);
  if (!Number.isSafeInteger(amountMinor) || amountMinor > MAX_AMOUNT_MINOR) {
    return { ok: false, reason: "too_large" };
  }
  if (amountMinor === 0) return { ok: false, reason: "zero" };
  return { ok: true, amountMinor };
}

/** Major units -> minor units for the fixed quick top-up amounts (10, 25, 50, 100). */
export function majorToMinor(major: number, currency: string): number {
  return major * 10 ** minorUnitDigits(currency);
}

/**
 * Minor units as a plain number for an input field, in the user's locale and
 * without grouping (unless `grouping`): (1250, "EUR") -> "12.50" or "12,50";
 * (0, "JPY") -> "0". Used for placeholders, examples and prefilled inputs, so
 * parseAmountToMinor reads them back.
 */
export function formatAmountPlain(amountMinor: number, currency: string, options: { grouping?: boolean } = {}): string {
  const digits = minorUnitDigits(currency);
  try {
    return new Intl.NumberFormat(formatLocale(), {
      useGrouping: options.grouping ?? false,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(amountMinor / 10 ** digits);
  } catch {
    return (amountMinor / 10 ** digits).toFixed(digits);
  }
}

