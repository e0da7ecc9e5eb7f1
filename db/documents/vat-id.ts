import { checkVAT, countries as vatCountries } from "jsvat";

/** ISO 3166-1 alpha-2 codes whose VAT IDs jsvat checks (EU states, GB, CH, NO, RS, RU, BR, AD). */
const CHECKED = new Set(vatCountries.map((c) => c.codes[0]));
/** Other countries' tax ids: 4-20 letters and digits (no checksum known to us). */
const GENERIC_TAX_ID = /^[A-Z0-9]{4,20}$/;

/**
 * Normalizes a VAT ID (upper case, without spaces, dots and dashes) and checks it for a
 * buyer in `country` (ISO 3166-1 alpha-2). For the countries jsvat knows, the format and
 * check digits must be right and the ID must belong to `country` (Greece's IDs start
 * with EL); elsewhere 4-20 letters and digits. Format only: whether the ID is registered
 * is the EU's VIES service's business, not checked here.
 * @returns the normalized ID, or null when it is not valid
 */
export function normalizeVatId(vatId: string, country: string): string | null {
  const value = vatId.toUpperCase().replace(/[\s.-]/g, "");
  if (!CHECKED.has(country)) return GENERIC_TAX_ID.test(value) ? value : null;
  const result = checkVAT(value, vatCountries);
  return result.isValid && result.country?.isoCode.short === country ? (result.value ?? value) : null;
}
