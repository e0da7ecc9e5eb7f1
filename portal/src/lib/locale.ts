/**
 * Two locales: numbers, money and dates follow the browser's language (a German
 * user sees "25,00 €" and "22.11.2026"); anything that produces *words*
 * (relative times, currency names) follows the UI language, so an English page
 * doesn't mix in German words. When paraglide arrives, UI_LANGUAGE becomes its
 * current locale.
 */
export const UI_LANGUAGE = "en";

/** The browser's language for number and date formats, or the runtime default. */
export function formatLocale(): string | undefined {
  return typeof navigator === "undefined" ? undefined : navigator.language;
}
