/**
 * The UI language is paraglide's (a choice saved by the language switch, else the
 * browser's language, else English). Numbers, money and dates follow the UI language
 * too, so a page never mixes "25,00 €" into English or "Dec 2, 2026" into German;
 * the browser's regional variant is kept when it is of the same language (an en-GB
 * browser on the English UI sees "2 Dec 2026", a de-AT one on the German UI "2.12.2026").
 */
import { getLocale } from "./paraglide/runtime.js";

export { getLocale as uiLanguage } from "./paraglide/runtime.js";

/**
 * The BCP 47 locale for number and date formats: the browser's language when it is a
 * variant of the UI language, else the UI language itself ("de", "en").
 */
export function formatLocale(): string {
  const ui = getLocale();
  const browser = typeof navigator === "undefined" ? undefined : navigator.language;
  return browser && browser.split("-")[0]?.toLowerCase() === ui ? browser : ui;
}
