import type { Queryable, Sql } from "../client";
import { recordAudit } from "../audit/record-audit";
import { EMAIL_MAX_ATTEMPTS } from "../notifications/enqueue";
import { enqueueAccountEmail, SEND_ACCOUNT_EMAIL_TASK } from "./account-emails";

/**
 * Password reset links are valid 30 minutes (issue 12; OWASP Forgot Password Cheat Sheet:
 * reset tokens "should expire after an appropriate period"); verification links a day,
 * long enough to find the mail later, and a new link can be asked for at any time.
 * Both are single-use: `used_at` is set in the transaction that acts on them.
 */
export const PASSWORD_RESET_TTL_MINUTES = 30;
export const EMAIL_VERIFICATION_TTL_HOURS = 24;

/** Who an account email goes to and what it says about them. */
interface Recipient {
  id: string;
  email: string;
  name: string;
  locale: "en" | "de";
}

/**
 * Stores a password reset link for the user with `email`, if there is one, and enqueues
 * its email, in one statement whether or not the user exists (the route runs it after
 * answering, so its time never reaches the client).
 * `tokenHash` is the SHA-256 of the token in `url`; only the hash is stored.
 */
export async function requestPasswordReset(
  sql: Sql,
  input: { email: string; tokenHash: string; url: string },
): Promise<void> {
  await sql`
    WITH u AS (SELECT id, email, name, locale FROM users WHERE email = ${input.email}),
    t AS (
      INSERT INTO user_tokens (id, user_id, purpose, email, expires_at)
      SELECT ${input.tokenHash}, u.id, 'password_reset', u.email, now() + make_interval(mins => ${PASSWORD_RESET_TTL_MINUTES}::int)
        FROM u
      RETURNING user_id)
    SELECT graphile_worker.add_job(${SEND_ACCOUNT_EMAIL_TASK},
             json_build_object('kind', 'password_reset', 'to', u.email, 'recipientName', u.name, 'locale', u.locale,
                               'email', u.email, 'url', ${input.url}::text),
             max_attempts := ${EMAIL_MAX_ATTEMPTS}::int)
      FROM u JOIN t ON t.user_id = u.id`;
}

/**
 * Uses a password reset link: sets `passwordHash` (argon2id, already checked against the
 * password policy), ends every session of the user, makes their other reset links stale,
 * audits `user.password_reset` and emails the notice (with `resetUrl`), in one transaction.
 * A reset proves the mailbox, so an unverified address counts as verified from then on.
 * @returns the user's id and log-in email, or null when the token is unknown, used or expired
 */
export async function resetPassword(
  sql: Sql,
  input: { tokenHash: string; passwordHash: string; resetUrl: string; requestId?: string | null },
): Promise<{ userId: string; email: string } | null> {
  return sql.begin(async (tx) => {
    const [token] = await tx<{ user_id: string; email: string }[]>`
      UPDATE user_tokens SET used_at = now()
       WHERE id = ${input.tokenHash} AND purpose = 'password_reset' AND used_at IS NULL AND expires_at > now()
      RETURNING user_id, email`;
    if (!token) return null;
    await tx`
      UPDATE users SET email_verified_at = coalesce(email_verified_at, now())
       WHERE id = ${token.user_id} AND email = ${token.email}`;
    const user = await setPassword(tx, {
      userId: token.user_id,
      passwordHash: input.passwordHash,
      keepSessionId: null,
      action: "user.password_reset",
      resetUrl: input.resetUrl,
      requestId: input.requestId,
    });
    return { userId: user.id, email: user.email };
  });
}

/**
 * Sets a user's password on `tx`: ends every session but `keepSessionId` (all when null),
 * makes unused reset links stale, audits `action` and enqueues the "password changed"
 * notice to the log-in email. @returns the user
 */
export async function setPassword(
  tx: Queryable,
  input: {
    userId: string;
    passwordHash: string;
    keepSessionId: string | null;
    action: "user.password_reset" | "user.password_changed";
    resetUrl: string;
    requestId?: string | null;
  },
): Promise<Recipient> {
  const [user] = await tx<Recipient[]>`
    UPDATE users SET password_hash = ${input.passwordHash} WHERE id = ${input.userId}
    RETURNING id, email, name, locale`;
  if (!user) throw new Error(`user ${input.userId} vanished`);
  const ended = await tx`
    DELETE FROM sessions WHERE user_id = ${user.id} AND id IS DISTINCT FROM ${input.keepSessionId} RETURNING public_id`;
  await tx`UPDATE user_tokens SET used_at = now() WHERE user_id = ${user.id} AND purpose = 'password_reset' AND used_at IS NULL`;
  await recordAudit(tx, {
    actor: `user:${user.id}`,
    action: input.action,
    targetId: user.id,
    before: null,
    after: { sessionsEnded: ended.length },
    requestId: input.requestId,
  });
  await enqueueAccountEmail(tx, {
    kind: "password_changed",
    to: user.email,
    recipientName: user.name,
    locale: user.locale,
    email: user.email,
    url: input.resetUrl,
  });
  return user;
}

/**
 * Stores a verification link for `email` (the user's address at sign-up, or the new one
 * they asked for) and enqueues it to that address; earlier unused verification links of
 * the user become stale, so only the newest address can be confirmed.
 */
export async function sendEmailVerification(
  tx: Queryable,
  input: { userId: string; email: string; tokenHash: string; url: string },
): Promise<void> {
  await tx`UPDATE user_tokens SET used_at = now() WHERE user_id = ${input.userId} AND purpose = 'email_verification' AND used_at IS NULL`;
  const [user] = await tx<Recipient[]>`SELECT id, email, name, locale FROM users WHERE id = ${input.userId}`;
  if (!user) throw new Error(`user ${input.userId} vanished`);
  await tx`
    INSERT INTO user_tokens (id, user_id, purpose, email, expires_at)
    VALUES (${input.tokenHash}, ${user.id}, 'email_verification', ${input.email},
            now() + make_interval(hours => ${EMAIL_VERIFICATION_TTL_HOURS}::int))`;
  await enqueueAccountEmail(tx, {
    kind: "verify_email",
    to: input.email,
    recipientName: user.name,
    locale: user.locale,
    email: input.email,
    url: input.url,
  });
}

/**
 * Asks to change a user's log-in email to `newEmail`: sends the verification link there
 * (sendEmailVerification) and a notice to the current address; the log-in email changes
 * only when the link is used (confirmEmail). Audited as `user.email_change_requested`.
 */
export async function requestEmailChange(
  sql: Sql,
  input: {
    userId: string;
    newEmail: string;
    tokenHash: string;
    url: string;
    profileUrl: string;
    requestId?: string | null;
  },
): Promise<void> {
  await sql.begin(async (tx) => {
    const [user] = await tx<
      Recipient[]
    >`SELECT id, email, name, locale FROM users WHERE id = ${input.userId} FOR UPDATE`;
    if (!user) throw new Error(`user ${input.userId} vanished`);
    await sendEmailVerification(tx, {
      userId: user.id,
      email: input.newEmail,
      tokenHash: input.tokenHash,
      url: input.url,
    });
    await enqueueAccountEmail(tx, {
      kind: "email_change_requested",
      to: user.email,
      recipientName: user.name,
      locale: user.locale,
      email: user.email,
      newEmail: input.newEmail,
      url: input.profileUrl,
    });
    await recordAudit(tx, {
      actor: `user:${user.id}`,
      action: "user.email_change_requested",
      targetId: user.id,
      before: { email: user.email },
      after: { email: input.newEmail },
      requestId: input.requestId,
    });
  });
}

export type ConfirmEmailResult =
  { status: "confirmed"; email: string } | { status: "invalid" } | { status: "email_taken" };

/**
 * Uses a verification link: the user's log-in email becomes the link's address, verified
 * now (a change of email takes effect here), and their other links (verification and
 * reset, which name the old address) become stale. Audited as `user.email_verified` or
 * `user.email_changed`.
 * @returns invalid for an unknown, used or expired token; email_taken when another user
 *   took the address since the link was sent
 */
export async function confirmEmail(
  sql: Sql,
  input: { tokenHash: string; requestId?: string | null },
): Promise<ConfirmEmailResult> {
  try {
    return await sql.begin(async (tx): Promise<ConfirmEmailResult> => {
      const [token] = await tx<{ user_id: string; email: string }[]>`
        UPDATE user_tokens SET used_at = now()
         WHERE id = ${input.tokenHash} AND purpose = 'email_verification' AND used_at IS NULL AND expires_at > now()
        RETURNING user_id, email`;
      if (!token) return { status: "invalid" };
      const [before] = await tx<{ email: string }[]>`SELECT email FROM users WHERE id = ${token.user_id} FOR UPDATE`;
      await tx`UPDATE users SET email = ${token.email}, email_verified_at = now() WHERE id = ${token.user_id}`;
      const changed = before!.email !== token.email;
      if (changed)
        await tx`UPDATE user_tokens SET used_at = now() WHERE user_id = ${token.user_id} AND used_at IS NULL`;
      await recordAudit(tx, {
        actor: `user:${token.user_id}`,
        action: changed ? "user.email_changed" : "user.email_verified",
        targetId: token.user_id,
        before: { email: before!.email },
        after: { email: token.email, verified: true },
        requestId: input.requestId,
      });
      return { status: "confirmed", email: token.email };
    });
  } catch (err) {
    // users.email is unique: someone signed up with the address after the link was sent.
    if ((err as { code?: string }).code === "23505") return { status: "email_taken" };
    throw err;
  }
}
