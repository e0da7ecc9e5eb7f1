/**
 * Date display and the date-range filter. Dates are shown in the browser's locale
 * and time zone; filter dates (YYYY-MM-DD from <input type="date">) are local
 * calendar days converted to ISO instants for the API.
 */

import { formatLocale as locale, uiLanguage } from "./locale";

/** "12 Mar 2025, 14:03" style, in the user's locale. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** "12 Mar 2025" style, in the user's locale. */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium" }).format(date);
}

/** "3 minutes ago" (UI language) for recent timestamps, falling back to the date after a week. */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const seconds = Math.round((date.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  const rtf = new Intl.RelativeTimeFormat(uiLanguage(), { numeric: "auto" });
  if (abs < 45) return rtf.format(0, "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), "hour");
  if (abs < 7 * 86_400) return rtf.format(Math.round(seconds / 86_400), "day");
  return formatDate(iso);
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Start of a local calendar day ("2025-03-12") as an ISO instant; undefined if invalid. */
export function startOfDayIso(day: string): string | undefined {
  const match = DAY_RE.exec(day);
  if (!match) return undefined;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * Last millisecond of a local calendar day as an ISO instant, so "to" includes the
 * whole day whether the server compares with < or <=.
 */
export function endOfDayIso(day: string): string | undefined {
  const match = DAY_RE.exec(day);
  if (!match) return undefined;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1);
  if (Number.isNaN(date.getTime())) return undefined;
  return new Date(date.getTime() - 1).toISOString();
}
