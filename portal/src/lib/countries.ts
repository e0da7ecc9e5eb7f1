/** Country choices for the billing details form. */
import countries from "i18n-iso-countries";

/**
 * Every ISO 3166-1 alpha-2 code the server accepts (the same i18n-iso-countries list,
 * server/routes/billing-details), with its name in `locale` (Intl.DisplayNames), sorted by name.
 */
export function countryOptions(locale: string): { code: string; name: string }[] {
  const names = new Intl.DisplayNames([locale], { type: "region" });
  return Object.keys(countries.getAlpha2Codes())
    .map((code) => ({ code, name: names.of(code) ?? code }))
    .sort((a, b) => a.name.localeCompare(b.name, locale));
}
