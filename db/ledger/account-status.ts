import { recordAudit, type AuditBy } from "../audit/record-audit";
import type { Queryable } from "../client";
import { enqueueNotifications } from "../notifications/enqueue";
import { AccountNotFoundError } from "./errors";
import { notice } from "./notice";
import type { LedgerContext } from "./types";

/** Why an account is suspended: a staff decision, or non-payment (lifted by a top-up). */
export type SuspensionReason = "operator" | "non_payment";

/** The account's status after a change; `changed` is false when it already was so. */
export interface AccountStatusChange {
  accountId: string;
  status: "active" | "suspended";
  suspendedReason: SuspensionReason | null;
  changed: boolean;
}

/**
 * Suspends an active customer account (shared/DESIGN.md: 403 account_suspended on usage;
 * credits are still accepted). `account.suspended` goes to subscribed webhook endpoints
 * (enqueued in the same transaction, so external systems can cut service) and on the
 * account's live stream after commit. Idempotent.
 * `onlyIfOverdrawn`: only while the balance is below zero (the non-payment rule, so a
 * top-up that lands between its check and this call wins).
 * `by`: the operator who asked; a change is then audited (`account.suspended`) in its transaction.
 * @throws AccountNotFoundError; a closed account cannot be suspended (not found as active)
 */
export function suspendAccount(
  ctx: LedgerContext,
  accountId: string,
  reason: SuspensionReason,
  onlyIfOverdrawn = false,
  by?: AuditBy,
): Promise<AccountStatusChange> {
  return changeStatus(ctx, accountId, { from: "active", to: "suspended", reason, type: "account.suspended", onlyIfOverdrawn, by });
}

/**
 * Reactivates a suspended account (operator). Sends `account.reactivated` as
 * suspendAccount sends `account.suspended`. Idempotent. A change is audited
 * (`account.reactivated`, by `by`) in its transaction.
 * @throws AccountNotFoundError
 */
export function reactivateAccount(ctx: LedgerContext, accountId: string, by: AuditBy): Promise<AccountStatusChange> {
  return changeStatus(ctx, accountId, {
    from: "suspended",
    to: "active",
    reason: "operator",
    type: "account.reactivated",
    by,
  });
}

async function changeStatus(
  ctx: LedgerContext,
  accountId: string,
  change: {
    from: "active" | "suspended";
    to: "active" | "suspended";
    reason: SuspensionReason;
    type: "account.suspended" | "account.reactivated";
    onlyIfOverdrawn?: boolean;
    by?: AuditBy;
  },
): Promise<AccountStatusChange> {
  const suspendedReason = change.to === "suspended" ? change.reason : null;
  const changed = await ctx.sql.begin(async (tx) => {
    const rows = await tx<{ before_reason: SuspensionReason | null }[]>`
      UPDATE accounts a SET status = ${change.to}, suspended_reason = ${suspendedReason}, updated_at = now()
        FROM (SELECT id, suspended_reason FROM accounts WHERE id = ${accountId} FOR UPDATE) old
       WHERE a.id = old.id AND a.kind = 'customer' AND a.status = ${change.from}
         AND (${change.onlyIfOverdrawn ?? false}::boolean = false OR a.balance < 0)
      RETURNING old.suspended_reason AS before_reason`;
    const [row] = rows;
    if (!row) return false;
    await enqueueNotifications(tx, { accountId, type: change.type, data: { reason: change.reason } });
    if (change.by) {
      await recordAudit(tx, {
        ...change.by,
        action: change.type,
        targetId: accountId,
        before: { status: change.from, suspendedReason: row.before_reason },
        after: { status: change.to, suspendedReason },
      });
    }
    return true;
  });
  if (changed) ctx.events.notify(notice(accountId, "account", change.type, { reason: change.reason }));
  return currentStatus(ctx.sql, accountId, changed);
}

/**
 * Inside a crediting transaction: lifts a `non_payment` suspension once available
 * (balance - held) is back at >= 0, and enqueues `account.reactivated` (reason `paid`)
 * for webhook endpoints. The caller publishes it on the live stream after commit when
 * this returns true (see settle-topup.ts).
 */
export async function reactivateIfPaid(tx: Queryable, accountId: string): Promise<boolean> {
  const rows = await tx`
    UPDATE accounts SET status = 'active', suspended_reason = NULL, updated_at = now()
     WHERE id = ${accountId} AND status = 'suspended' AND suspended_reason = 'non_payment' AND balance - held >= 0
    RETURNING id`;
  if (rows.length > 0)
    await enqueueNotifications(tx, { accountId, type: "account.reactivated", data: { reason: "paid" } });
  return rows.length > 0;
}

async function currentStatus(q: Queryable, accountId: string, changed: boolean): Promise<AccountStatusChange> {
  const [row] = await q<{ status: string; suspended_reason: SuspensionReason | null }[]>`
    SELECT status, suspended_reason FROM accounts WHERE id = ${accountId} AND kind = 'customer'`;
  if (!row || row.status === "closed") throw new AccountNotFoundError(accountId);
  return { accountId, status: row.status as "active" | "suspended", suspendedReason: row.suspended_reason, changed };
}
