/** Client-side checks that mirror the server's rules, for immediate feedback. */

/** Minimum password length (the API rejects shorter ones). */
export const PASSWORD_MIN_LENGTH = 8;

/** A pragmatic email check: something@something.tld, no spaces. The server decides. */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}
