/**
 * Two locales: the UI language is paraglide's (a choice saved by the language
 * switch, else the browser's language, else English), while numbers, money and
 * dates follow the browser's language (a German user sees "25,00 €" and
 * "22.11.2026" even on the English UI). Anything that produces *words* (relative
 * times, currency names) follows the UI language, so a page doesn't mix languages.
 */
export { getLocale as uiLanguage } from "./paraglide/runtime.js";

/** The browser's language for number and date formats, or the runtime default. */
export function formatLocale(): string | undefined {
  return typeof navigator === "undefined" ? undefined : navigator.language;
}
