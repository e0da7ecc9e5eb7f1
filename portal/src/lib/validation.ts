/** Client-side checks that mirror the server's rules, for immediate feedback. */

/** Minimum password length in characters (the API rejects shorter ones, server/auth/password-policy.ts). */
export const PASSWORD_MIN_LENGTH = 8;

/**
 * The message key of the first password rule `password` breaks that can be checked here
 * (length in characters, not only spaces), or null. The API also refuses common passwords.
 */
export function passwordProblem(password: string): "short" | "blank" | null {
  if ([...password].length < PASSWORD_MIN_LENGTH) return "short";
  if (password.trim() === "") return "blank";
  return null;
}

/** A pragmatic email check: something@something.tld, no spaces. The server decides. */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}
