/** ISO 4217 currencies as this runtime knows them (ICU, through Intl): no zod here, so any module may import it. */

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

/** True when `code` is an ISO 4217 currency code this runtime knows (from ICU via Intl). */
export function isKnownCurrency(code: string): boolean {
  return KNOWN_CURRENCIES.has(code);
}

/** Digits after the decimal point for a currency (EUR 2, JPY 0, KWD 3), from Intl. */
export function minorUnitDigits(currency: string): number {
  return currencyFormat("en", currency).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Intl.NumberFormat instances by locale and currency: building one costs far more than formatting (statements format 200 000 amounts). */
const FORMATS = new Map<string, Intl.NumberFormat>();

function currencyFormat(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let format = FORMATS.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: "currency", currency });
    FORMATS.set(key, format);
  }
  return format;
}

/** Integer minor units as e.g. "€25.00" (en) or "25,00 €" (de), the division done on a decimal string, never a float. */
export function formatMinor(amountMinor: number, currency: string, locale = "en"): string {
  const digits = minorUnitDigits(currency);
  const sign = amountMinor < 0 ? "-" : "";
  const units = String(Math.abs(amountMinor)).padStart(digits + 1, "0");
  const decimal = digits === 0 ? units : `${units.slice(0, -digits)}.${units.slice(-digits)}`;
  return currencyFormat(locale, currency).format(`${sign}${decimal}` as Intl.StringNumericLiteral);
}
