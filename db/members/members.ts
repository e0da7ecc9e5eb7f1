import { recordAudit } from "../audit/record-audit";
import type { Queryable, Sql } from "../client";
import { LedgerError } from "../ledger/errors";

/** A member's role on a customer account (shared/DESIGN.md, "Auth"). */
export type Role = "owner" | "admin" | "viewer";

/** Who acts: the portal user, their role on the account, and the request (for the audit row). */
export interface Actor {
  userId: string;
  role: Role;
  requestId?: string | null;
}

/** A member as GET /members shows it. */
export interface Member {
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: string;
}

/** The account's members, owners first, then by when they joined. */
export async function listMembers(q: Queryable, accountId: string): Promise<Member[]> {
  const rows = await q<{ user_id: string; email: string; name: string; role: Role; created_at: Date }[]>`
    SELECT m.user_id, u.email, u.name, m.role, m.created_at
      FROM account_members m JOIN users u ON u.id = m.user_id
     WHERE m.account_id = ${accountId}
     ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, m.created_at, m.user_id`;
  return rows.map((r) => ({
    userId: r.user_id,
    email: r.email,
    name: r.name,
    role: r.role,
    joinedAt: r.created_at.toISOString(),
  }));
}

/** 403 forbidden: an admin may neither grant the owner role nor change or remove an owner. */
function assertMayManage(actor: Role, targetRole: Role, newRole?: Role): void {
  if (actor === "owner") return;
  if (actor === "admin" && targetRole !== "owner" && newRole !== "owner") return;
  throw new LedgerError("forbidden", "Only an owner can grant the owner role or change or remove an owner.");
}

/**
 * Locks every member row of the account (in user id order, so concurrent changes queue
 * instead of deadlocking) and returns their current roles. Run inside the transaction of
 * the change: two owners demoting each other at once are serialized here, and the second
 * sees the first's result (READ COMMITTED re-reads a locked row once its locker commits).
 */
async function lockMembers(tx: Queryable, accountId: string): Promise<Map<string, Role>> {
  const rows = await tx<{ user_id: string; role: Role }[]>`
    SELECT user_id, role FROM account_members WHERE account_id = ${accountId} ORDER BY user_id FOR UPDATE`;
  return new Map(rows.map((r) => [r.user_id, r.role]));
}

const ownerCount = (roles: Map<string, Role>) => [...roles.values()].filter((r) => r === "owner").length;

/**
 * The actor's role as it is now (under the lock), since the session's role was read
 * before the lock. @throws LedgerError unauthenticated when the actor is no longer a
 * member, forbidden when no longer owner or admin and `manage` is asked.
 */
function currentRole(roles: Map<string, Role>, actor: Actor, manage: boolean): Role {
  const role = roles.get(actor.userId);
  if (!role) throw new LedgerError("unauthenticated", "You are no longer a member of this account.");
  if (manage && role === "viewer") throw new LedgerError("forbidden", "This needs one of the roles: owner, admin.");
  return role;
}

/**
 * Changes a member's role, audited (`member.role_changed`, target the account).
 * Unchanged roles are a no-op (no audit row).
 * @throws LedgerError not_found (no such member of this account), forbidden (see
 *   assertMayManage; viewers), last_owner (the account's only owner would be demoted)
 */
export async function changeMemberRole(
  sql: Sql,
  accountId: string,
  actor: Actor,
  userId: string,
  role: Role,
): Promise<Member> {
  await sql.begin(async (tx) => {
    const roles = await lockMembers(tx, accountId);
    const actorRole = currentRole(roles, actor, true);
    const before = roles.get(userId);
    if (!before) throw new LedgerError("not_found", `No member ${userId} in this account.`);
    assertMayManage(actorRole, before, role);
    if (before === role) return;
    if (before === "owner" && ownerCount(roles) === 1) {
      throw new LedgerError("last_owner", "The account's last owner cannot be demoted: make someone else owner first.");
    }
    await tx`UPDATE account_members SET role = ${role} WHERE account_id = ${accountId} AND user_id = ${userId}`;
    await recordAudit(tx, {
      actor: `user:${actor.userId}`,
      action: "member.role_changed",
      targetId: accountId,
      before: { userId, role: before },
      after: { userId, role },
      requestId: actor.requestId,
    });
  });
  const member = (await listMembers(sql, accountId)).find((m) => m.userId === userId);
  if (!member) throw new LedgerError("not_found", `No member ${userId} in this account.`);
  return member;
}

/**
 * Removes a member (or, when `userId` is the actor, leaves), audited (`member.removed`
 * or `member.left`). The member's sessions on this account move to another account of
 * theirs, or end when they have none.
 * @throws LedgerError not_found, forbidden (viewers removing others; see assertMayManage),
 *   last_owner (the account's only owner would leave or be removed)
 */
export async function removeMember(sql: Sql, accountId: string, actor: Actor, userId: string): Promise<void> {
  await sql.begin(async (tx) => {
    const roles = await lockMembers(tx, accountId);
    const leaving = userId === actor.userId;
    const actorRole = currentRole(roles, actor, !leaving);
    const before = roles.get(userId);
    if (!before) throw new LedgerError("not_found", `No member ${userId} in this account.`);
    if (!leaving) assertMayManage(actorRole, before);
    if (before === "owner" && ownerCount(roles) === 1) {
      throw new LedgerError("last_owner", "The account's last owner cannot leave: make someone else owner first.");
    }
    await tx`DELETE FROM account_members WHERE account_id = ${accountId} AND user_id = ${userId}`;
    await tx`
      UPDATE sessions s SET account_id = other.account_id
        FROM (SELECT account_id FROM account_members WHERE user_id = ${userId} ORDER BY created_at LIMIT 1) other
       WHERE s.user_id = ${userId} AND s.account_id = ${accountId}`;
    await tx`DELETE FROM sessions WHERE user_id = ${userId} AND account_id = ${accountId}`;
    await recordAudit(tx, {
      actor: `user:${actor.userId}`,
      action: leaving ? "member.left" : "member.removed",
      targetId: accountId,
      before: { userId, role: before },
      after: null,
      requestId: actor.requestId,
    });
  });
}

/** An account a user belongs to, as GET /me lists them. */
export interface Membership {
  id: string;
  name: string;
  currency: string;
  role: Role;
  status: "active" | "suspended" | "closed";
}

/** Every account the user is a member of, in the order they joined them. */
export async function listMemberships(q: Queryable, userId: string): Promise<Membership[]> {
  return q<Membership[]>`
    SELECT a.id, a.name, a.currency, m.role, a.status
      FROM account_members m JOIN accounts a ON a.id = m.account_id
     WHERE m.user_id = ${userId} ORDER BY m.created_at, a.id`;
}

/**
 * Points the session at another account of the user (the portal's account switcher).
 * @throws LedgerError not_found when the user is not a member of `accountId`
 */
export async function switchAccount(q: Queryable, sessionId: string, userId: string, accountId: string): Promise<void> {
  const rows = await q`
    UPDATE sessions SET account_id = ${accountId}
     WHERE id = ${sessionId} AND user_id = ${userId}
       AND EXISTS (SELECT 1 FROM account_members WHERE account_id = ${accountId} AND user_id = ${userId})
    RETURNING id`;
  if (rows.length === 0) throw new LedgerError("not_found", `No account ${accountId}.`);
}
