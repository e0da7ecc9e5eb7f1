/** ISO 4217 currencies as this runtime knows them (ICU, through Intl): no zod here, so any module may import it. */

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

/** True when `code` is an ISO 4217 currency code this runtime knows (from ICU via Intl). */
export function isKnownCurrency(code: string): boolean {
  return KNOWN_CURRENCIES.has(code);
}

/** Digits after the decimal point for a currency (EUR 2, JPY 0, KWD 3), from Intl. */
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}
