import { recordAudit } from "../audit/record-audit";
import type { Queryable, Sql } from "../client";
import { newId } from "../ids";
import { createHash, randomBytes } from "node:crypto";

/** Operator roles (issue 11): admin = everything, support = read plus adjustments up to a limit. */
export type OperatorRole = "admin" | "support";

/** An operator user's API shape (never the password hash or TOTP secret). */
export interface OperatorUser {
  id: string;
  email: string;
  role: OperatorRole;
  disabled: boolean;
  passwordSet: boolean;
  twoFactorEnabled: boolean;
  createdAt: string;
}

/** How long a set-password link works: 24 hours (long enough to reach a new colleague, short enough to die unused). */
export const OPERATOR_PASSWORD_LINK_TTL_MS = 24 * 3_600_000;

/** The link a new operator sets their password with (the token in the fragment: never sent in a request line, so never in a server log). */
export const operatorSetPasswordUrl = (publicUrl: string, token: string) => `${publicUrl}/operator/set-password#${token}`;

/** Who makes a change, for the audit row. */
export interface AuditBy {
  actor: string;
  requestId?: string | null;
}

const sha256Hex = (s: string) => createHash("sha256").update(s).digest("hex");

type Row = { id: string; email: string; role: OperatorRole; disabled_at: Date | null; password_set: boolean; two_factor: boolean; created_at: Date };

const SELECT = (q: Queryable) => q`
  SELECT o.id, o.email, o.role, o.disabled_at, o.password_hash IS NOT NULL AS password_set, o.created_at,
         EXISTS (SELECT 1 FROM totp_credentials t WHERE t.subject_id = o.id AND t.confirmed_at IS NOT NULL) AS two_factor
    FROM operator_users o`;

const toOperatorUser = (r: Row): OperatorUser => ({
  id: r.id,
  email: r.email,
  role: r.role,
  disabled: r.disabled_at !== null,
  passwordSet: r.password_set,
  twoFactorEnabled: r.two_factor,
  createdAt: r.created_at.toISOString(),
});

/** Every operator user, oldest first. */
export async function listOperatorUsers(q: Queryable): Promise<OperatorUser[]> {
  return (await q<Row[]>`${SELECT(q)} ORDER BY o.created_at, o.id`).map(toOperatorUser);
}

/** One operator user, or null. */
export async function getOperatorUser(q: Queryable, id: string): Promise<OperatorUser | null> {
  const [row] = await q<Row[]>`${SELECT(q)} WHERE o.id = ${id}`;
  return row ? toOperatorUser(row) : null;
}

/**
 * Creates an operator user without a password, and a one-time set-password token (valid
 * OPERATOR_PASSWORD_LINK_TTL_MS; only its SHA-256 is stored), audited `operator_user.created`
 * in the same transaction.
 * @returns the user and the token (for the link `/operator/set-password#<token>`), or null when the email exists
 */
export async function createOperatorUser(
  sql: Sql,
  input: { email: string; role: OperatorRole },
  by: AuditBy,
): Promise<{ user: OperatorUser; token: string } | null> {
  return sql.begin(async (tx) => {
    const id = newId("opu");
    const inserted = await tx`
      INSERT INTO operator_users (id, email, role) VALUES (${id}, ${input.email.toLowerCase()}, ${input.role})
      ON CONFLICT (email) DO NOTHING RETURNING id`;
    if (inserted.length === 0) return null;
    const token = await issueOperatorPasswordToken(tx, id);
    const user = (await getOperatorUser(tx, id))!;
    await recordAudit(tx, { actor: by.actor, action: "operator_user.created", targetId: id, before: null, after: user, requestId: by.requestId });
    return { user, token };
  });
}

/** A new one-time set-password token for `operatorUserId` (earlier unused ones stop working). */
export async function issueOperatorPasswordToken(q: Queryable, operatorUserId: string): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await q`DELETE FROM operator_password_tokens WHERE operator_user_id = ${operatorUserId} AND used_at IS NULL`;
  await q`
    INSERT INTO operator_password_tokens (id, operator_user_id, expires_at)
    VALUES (${sha256Hex(token)}, ${operatorUserId}, ${new Date(Date.now() + OPERATOR_PASSWORD_LINK_TTL_MS)})`;
  return token;
}

/**
 * Uses a set-password token: stores `passwordHash` (argon2id), ends the user's sessions,
 * audited `operator_user.password_set` (actor: the operator).
 * @returns the operator user's id, or null for an unknown, used or expired token, or a disabled user
 */
export async function setOperatorPassword(sql: Sql, token: string, passwordHash: string, requestId: string | null): Promise<string | null> {
  return sql.begin(async (tx) => {
    const [row] = await tx<{ operator_user_id: string }[]>`
      UPDATE operator_password_tokens t SET used_at = now()
        FROM operator_users o
       WHERE t.id = ${sha256Hex(token)} AND t.used_at IS NULL AND t.expires_at > now()
         AND o.id = t.operator_user_id AND o.disabled_at IS NULL
      RETURNING t.operator_user_id`;
    if (!row) return null;
    const id = row.operator_user_id;
    await tx`UPDATE operator_users SET password_hash = ${passwordHash} WHERE id = ${id}`;
    await tx`DELETE FROM operator_sessions WHERE operator_user_id = ${id}`;
    await recordAudit(tx, { actor: `operator:${id}`, action: "operator_user.password_set", targetId: id, before: null, after: null, requestId });
    return id;
  });
}

/**
 * Changes an operator user's role and/or disables or re-enables them (disabling ends their
 * sessions), audited `operator_user.updated` with before/after in the same transaction.
 * @returns the user after the change, or null when unknown
 */
export async function updateOperatorUser(
  sql: Sql,
  id: string,
  change: { role?: OperatorRole; disabled?: boolean },
  by: AuditBy,
): Promise<OperatorUser | null> {
  return sql.begin(async (tx) => {
    const locked = await tx`SELECT 1 FROM operator_users WHERE id = ${id} FOR UPDATE`;
    if (locked.length === 0) return null;
    const before = (await getOperatorUser(tx, id))!;
    await tx`
      UPDATE operator_users
         SET role = ${change.role ?? before.role},
             disabled_at = CASE WHEN ${change.disabled ?? before.disabled}::boolean THEN coalesce(disabled_at, now()) ELSE NULL END
       WHERE id = ${id}`;
    if (change.disabled) await tx`DELETE FROM operator_sessions WHERE operator_user_id = ${id}`;
    const after = (await getOperatorUser(tx, id))!;
    await recordAudit(tx, { actor: by.actor, action: "operator_user.updated", targetId: id, before, after, requestId: by.requestId });
    return after;
  });
}
