import { createHash, randomBytes } from "node:crypto";
import { recordAudit } from "../audit/record-audit";
import type { Queryable, Sql } from "../client";
import { newId } from "../ids";
import { LedgerError } from "../ledger/errors";
import type { Actor, Role } from "./members";

/** How long an invitation link works: 7 days (issue 12, "Team members"). */
export const INVITATION_TTL_MS = 7 * 24 * 3_600_000;

/** The graphile-worker task that mails one invitation (workers/send-invitation.ts). */
export const SEND_INVITATION_TASK = "send_invitation";
/** Attempts per invitation email, as notification emails (db/notifications/enqueue.ts EMAIL_MAX_ATTEMPTS). */
const INVITATION_EMAIL_MAX_ATTEMPTS = 10;

/** A pending invitation as GET /members shows it (the token never: it is only in the email). */
export interface Invitation {
  id: string;
  email: string;
  role: Role;
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
}

/** The send_invitation job: everything the email says, in the invitee's language guess (the inviter's). */
export interface InvitationEmailJob {
  invitationId: string;
  to: string;
  locale: "en" | "de";
  accountName: string;
  inviterName: string;
  role: Role;
  /** The accept link, `<PUBLIC_URL>/invitations/<token>`. */
  url: string;
  expiresAt: string;
}

/** What the invitation page shows before accepting (GET /invitations/{token}). */
export interface InvitationPreview {
  email: string;
  role: Role;
  accountName: string;
  inviterName: string | null;
  expiresAt: string;
}

interface InvitationRow {
  id: string;
  email: string;
  role: Role;
  invited_by_name: string | null;
  created_at: Date;
  expires_at: Date;
}

const toInvitation = (r: InvitationRow): Invitation => ({
  id: r.id,
  email: r.email,
  role: r.role,
  invitedBy: r.invited_by_name,
  createdAt: r.created_at.toISOString(),
  expiresAt: r.expires_at.toISOString(),
});

const tokenHashOf = (token: string) => createHash("sha256").update(token).digest("hex");

/** The account's pending invitations (not accepted, revoked or expired), newest first. */
export async function listInvitations(q: Queryable, accountId: string): Promise<Invitation[]> {
  const rows = await q<InvitationRow[]>`
    SELECT i.id, i.email, i.role, u.name AS invited_by_name, i.created_at, i.expires_at
      FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
     WHERE i.account_id = ${accountId} AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
     ORDER BY i.created_at DESC, i.id DESC`;
  return rows.map(toInvitation);
}

/**
 * Invites `email` (lower-cased by the caller) to the account with `role`, in one
 * transaction: an earlier open invitation of the same email is revoked (a re-sent link
 * replaces the old one), the new one stored with the SHA-256 of a fresh 256-bit token,
 * the email job enqueued (outbox: no email for an invitation that did not commit), and
 * the audit row (`member.invited`) written.
 * @returns the invitation; the token is only in the enqueued email
 * @throws LedgerError forbidden (a viewer; an admin inviting an owner), already_member
 */
export async function createInvitation(
  sql: Sql,
  input: { accountId: string; actor: Actor; email: string; role: Role; publicUrl: string },
): Promise<Invitation> {
  const { accountId, actor, email, role } = input;
  if (actor.role === "viewer") throw new LedgerError("forbidden", "This needs one of the roles: owner, admin.");
  if (role === "owner" && actor.role !== "owner") {
    throw new LedgerError("forbidden", "Only an owner can invite another owner.");
  }
  const token = randomBytes(32).toString("base64url");
  const id = newId("inv");
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  return sql.begin(async (tx) => {
    const [member] = await tx`
      SELECT 1 FROM account_members m JOIN users u ON u.id = m.user_id WHERE m.account_id = ${accountId} AND u.email = ${email}`;
    if (member) throw new LedgerError("already_member", `${email} is already a member of this account.`);
    await tx`
      UPDATE invitations SET revoked_at = now()
       WHERE account_id = ${accountId} AND email = ${email} AND accepted_at IS NULL AND revoked_at IS NULL`;
    await tx`
      INSERT INTO invitations (id, account_id, email, role, token_hash, invited_by, expires_at)
      VALUES (${id}, ${accountId}, ${email}, ${role}, ${tokenHashOf(token)}, ${actor.userId}, ${expiresAt})`;
    const [ctx] = await tx<{ account_name: string; inviter_name: string; locale: "en" | "de" }[]>`
      SELECT a.name AS account_name, u.name AS inviter_name, u.locale
        FROM accounts a, users u WHERE a.id = ${accountId} AND u.id = ${actor.userId}`;
    const job: InvitationEmailJob = {
      invitationId: id,
      to: email,
      locale: ctx!.locale,
      accountName: ctx!.account_name,
      inviterName: ctx!.inviter_name,
      role,
      url: `${input.publicUrl}/invitations/${token}`,
      expiresAt: expiresAt.toISOString(),
    };
    await tx`
      SELECT graphile_worker.add_job(${SEND_INVITATION_TASK}, ${tx.json(job as never)}::json,
                                     max_attempts := ${INVITATION_EMAIL_MAX_ATTEMPTS}::int)`;
    const invitation: Invitation = {
      id,
      email,
      role,
      invitedBy: ctx!.inviter_name,
      createdAt: new Date().toISOString(),
      expiresAt: expiresAt.toISOString(),
    };
    await recordAudit(tx, {
      actor: `user:${actor.userId}`,
      action: "member.invited",
      targetId: accountId,
      before: null,
      after: invitation,
      requestId: actor.requestId,
    });
    return invitation;
  });
}

/**
 * Revokes a pending invitation of the account, audited (`invitation.revoked`); its link
 * stops working at once.
 * @throws LedgerError not_found (no pending invitation `id` in this account: other
 *   accounts' ids included), forbidden (an admin revoking an owner's invitation)
 */
export async function revokeInvitation(sql: Sql, accountId: string, actor: Actor, id: string): Promise<void> {
  await sql.begin(async (tx) => {
    const [row] = await tx<{ role: Role; email: string }[]>`
      SELECT role, email FROM invitations
       WHERE id = ${id} AND account_id = ${accountId} AND accepted_at IS NULL AND revoked_at IS NULL
       FOR UPDATE`;
    if (!row) throw new LedgerError("not_found", `No pending invitation ${id}.`);
    if (row.role === "owner" && actor.role !== "owner") {
      throw new LedgerError("forbidden", "Only an owner can revoke an invitation to become owner.");
    }
    await tx`UPDATE invitations SET revoked_at = now() WHERE id = ${id}`;
    await recordAudit(tx, {
      actor: `user:${actor.userId}`,
      action: "invitation.revoked",
      targetId: accountId,
      before: { invitationId: id, email: row.email, role: row.role },
      after: null,
      requestId: actor.requestId,
    });
  });
}

const INVALID = "This invitation link is not valid: it was used, revoked or has expired. Ask for a new one.";

/**
 * The open invitation of a link's token.
 * @throws LedgerError not_found when the token is unknown, used, revoked or expired
 */
export async function previewInvitation(q: Queryable, token: string): Promise<InvitationPreview> {
  const [row] = await q<
    { email: string; role: Role; account_name: string; inviter_name: string | null; expires_at: Date }[]
  >`
    SELECT i.email, i.role, a.name AS account_name, u.name AS inviter_name, i.expires_at
      FROM invitations i JOIN accounts a ON a.id = i.account_id LEFT JOIN users u ON u.id = i.invited_by
     WHERE i.token_hash = ${tokenHashOf(token)} AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()`;
  if (!row) throw new LedgerError("not_found", INVALID);
  return {
    email: row.email,
    role: row.role,
    accountName: row.account_name,
    inviterName: row.inviter_name,
    expiresAt: row.expires_at.toISOString(),
  };
}

/**
 * Inside the caller's transaction: uses up the invitation of `token` for `user` (whose
 * email must be the invited one) and makes them a member with its role, audited
 * (`invitation.accepted`). The row lock makes the link single-use under concurrency.
 * @returns the joined account's id
 * @throws LedgerError not_found (unknown, used, revoked or expired link),
 *   invitation_email_mismatch, already_member
 */
export async function acceptInvitation(
  tx: Queryable,
  token: string,
  user: { id: string; email: string },
  requestId?: string | null,
): Promise<string> {
  const [row] = await tx<{ id: string; account_id: string; email: string; role: Role }[]>`
    SELECT id, account_id, email, role FROM invitations
     WHERE token_hash = ${tokenHashOf(token)} AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
     FOR UPDATE`;
  if (!row) throw new LedgerError("not_found", INVALID);
  if (row.email !== user.email.toLowerCase()) {
    throw new LedgerError(
      "invitation_email_mismatch",
      `This invitation is for ${row.email}; you are signed in as ${user.email}. Sign in with the invited address.`,
    );
  }
  const inserted = await tx`
    INSERT INTO account_members (account_id, user_id, role) VALUES (${row.account_id}, ${user.id}, ${row.role})
    ON CONFLICT DO NOTHING RETURNING user_id`;
  if (inserted.length === 0) throw new LedgerError("already_member", "You are already a member of this account.");
  await tx`UPDATE invitations SET accepted_at = now(), accepted_by = ${user.id} WHERE id = ${row.id}`;
  await recordAudit(tx, {
    actor: `user:${user.id}`,
    action: "invitation.accepted",
    targetId: row.account_id,
    before: { invitationId: row.id },
    after: { userId: user.id, email: row.email, role: row.role },
    requestId,
  });
  return row.account_id;
}
