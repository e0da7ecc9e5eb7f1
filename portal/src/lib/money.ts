/**
 * Money in the portal is an integer count of a currency's minor units (cents for
 * EUR), exactly as on the wire. The only non-integer step is the final division
 * for display inside `formatMoney`; parsing user input is pure string handling.
 */
import { formatLocale, uiLanguage } from "./locale";

/** Largest amount the API accepts in one operation (db/money.ts MAX_AMOUNT_MINOR). */
export const MAX_AMOUNT_MINOR = 10_000_000_000;

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
  | { ok: false; reason: "empty" | "invalid" | "too_many_decimals" | "zero" | "too_large" };

/**
 * Parses a typed amount in major units ("12.50", "12,50", "1.234,50", "1,234.50",
 * "1 000") into integer minor units without floating point.
 *
 * Rules: the last "." or "," followed by 1..digits digits is the decimal separator;
 * any other separators must be thousands groups of exactly three digits. A single
 * separator followed by exactly three digits is read as grouping when the currency
 * has fewer than three decimals ("1.000" EUR = 1000 EUR); the caller shows the
 * parsed amount back on the submit button so the user sees what will be charged.
 */
export function parseAmountToMinor(input: string, currency: string): ParseAmountResult {
  const digits = minorUnitDigits(currency);
  // Spaces (incl. NBSP / narrow NBSP) and apostrophes (Swiss grouping) are never meaningful.
  const s = input.replace(/[\s\u00a0\u202f']/g, "");
  if (s === "") return { ok: false, reason: "empty" };
  if (!/^[\d.,]+$/.test(s)) return { ok: false, reason: "invalid" };

  let integerPart: string;
  let fractionPart = "";

  const lastSep = Math.max(s.lastIndexOf("."), s.lastIndexOf(","));
  if (lastSep === -1) {
    integerPart = s;
  } else {
    const tail = s.slice(lastSep + 1);
    const head = s.slice(0, lastSep);
    const sep = s.charAt(lastSep);
    if (tail.length >= 1 && tail.length <= digits && /^\d+$/.test(tail)) {
      // Decimal separator; the head may carry grouping with the *other* separator.
      const grouping = sep === "." ? "," : ".";
      if (head.includes(sep)) return { ok: false, reason: "invalid" };
      const groupedHead = new RegExp(`^\\d{1,3}(\\${grouping}\\d{3})+$`);
      if (head !== "" && !/^\d+$/.test(head) && !groupedHead.test(head)) {
        return { ok: false, reason: "invalid" };
      }
      integerPart = head.split(grouping).join("");
      fractionPart = tail;
    } else if (/^\d{1,3}([.,])\d{3}(\1\d{3})*$/.test(s)) {
      // Only thousands separators, one kind: "1.000", "1,000,000".
      integerPart = s.replace(/[.,]/g, "");
    } else if (tail.length > digits && /^\d+$/.test(tail) && /^\d*$/.test(head)) {
      return { ok: false, reason: "too_many_decimals" };
    } else {
      return { ok: false, reason: "invalid" };
    }
  }

  if (integerPart === "") integerPart = "0";
  if (!/^\d+$/.test(integerPart)) return { ok: false, reason: "invalid" };

  const minorString = (integerPart + fractionPart.padEnd(digits, "0")).replace(/^0+(?=\d)/, "");
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
 * without grouping: (1250, "EUR") -> "12.50" or "12,50"; (0, "JPY") -> "0".
 * Used for the custom amount's placeholder and example.
 */
export function formatAmountPlain(amountMinor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  try {
    return new Intl.NumberFormat(formatLocale(), {
      useGrouping: false,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(amountMinor / 10 ** digits);
  } catch {
    return (amountMinor / 10 ** digits).toFixed(digits);
  }
}

