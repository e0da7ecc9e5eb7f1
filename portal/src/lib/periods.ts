/** Statement months (YYYY-MM, UTC as the server's statements: db/documents/statement.ts periodOf). */

/** The month of `now` in UTC, e.g. "2026-12": its statement is interim until the month ends. */
export function currentPeriod(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/** "2026-12" as "December 2026" / "Dezember 2026" in `locale`. */
export function formatPeriod(period: string, locale: string): string {
  const [year, month] = period.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, 1)),
  );
}
