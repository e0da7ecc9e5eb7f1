import type { Queryable } from "../../db/client";
import { ApiError } from "../errors";
import type { LoginThrottle } from "./login-throttle";
import { newSecret, sha256Hex } from "./tokens";
import { verifySecondFactor } from "./totp";

/** How long (ms) the pending-login token of the password step lasts: 5 minutes to type a code. */
export const LOGIN_CHALLENGE_TTL_MS = 5 * 60_000;

/** The answer of a password step when a second factor is due. */
export interface LoginChallenge {
  /** Pending-login token: send it with the code to the second step. */
  token: string;
  expiresAt: Date;
}

/**
 * After a correct password of a user with two-factor on: a pending-login token (stored as
 * SHA-256) for `subjectId`, acting on `accountId` (customers; null for operators).
 */
export async function createLoginChallenge(q: Queryable, subjectId: string, accountId: string | null): Promise<LoginChallenge> {
  const token = newSecret("lc_");
  const expiresAt = new Date(Date.now() + LOGIN_CHALLENGE_TTL_MS);
  await q`
    INSERT INTO login_challenges (id, subject_id, account_id, expires_at)
    VALUES (${sha256Hex(token)}, ${subjectId}, ${accountId}, ${expiresAt})`;
  // Expired challenges of this subject are useless: clean them while we are here.
  await q`DELETE FROM login_challenges WHERE subject_id = ${subjectId} AND expires_at < now()`;
  return { token, expiresAt };
}

/**
 * The second log-in step: `code` (TOTP or recovery code) for the challenge of `token`.
 * Wrong codes count in `throttle` under `2fa:<subjectId>` and the client IP like wrong
 * passwords (server/auth/login-throttle.ts), so guessing 6 digits is as slow as guessing
 * a password. The challenge is single-use: deleted when the code is accepted.
 * @returns the subject and account of the challenge
 * @throws ApiError login_challenge_expired (401), invalid_two_factor_code (422),
 *   RateLimitedError (429)
 */
export async function completeLoginChallenge(
  q: Queryable,
  input: { token: string; code: string; ip: string; throttle: LoginThrottle },
): Promise<{ subjectId: string; accountId: string | null }> {
  const [challenge] = await q<{ id: string; subject_id: string; account_id: string | null }[]>`
    SELECT id, subject_id, account_id FROM login_challenges WHERE id = ${sha256Hex(input.token)} AND expires_at > now()`;
  if (!challenge) throw new ApiError("login_challenge_expired", "This log-in has expired. Enter your email and password again.");
  const key = `2fa:${challenge.subject_id}`;
  await input.throttle.check(key, input.ip);
  if (!(await verifySecondFactor(q, challenge.subject_id, input.code))) {
    await input.throttle.failed(key, input.ip);
    throw new ApiError("invalid_two_factor_code", "That code is not valid. Enter the current code from your app or an unused recovery code.");
  }
  const used = await q`DELETE FROM login_challenges WHERE id = ${challenge.id} RETURNING 1`;
  if (used.length === 0) throw new ApiError("login_challenge_expired", "This log-in has already been completed.");
  await input.throttle.succeeded(key, input.ip);
  return { subjectId: challenge.subject_id, accountId: challenge.account_id };
}
