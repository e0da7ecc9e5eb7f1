import type { Queryable } from "../client";
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
 * credits are still accepted). Publishes `account.suspended` on the account's stream after
 * commit, for the portal and for external systems to cut service. Idempotent.
 * @throws AccountNotFoundError; a closed account cannot be suspended (not found as active)
 */
export async function suspendAccount(ctx: LedgerContext, accountId: string, reason: SuspensionReason): Promise<AccountStatusChange> {
  const rows = await ctx.sql`
    UPDATE accounts SET status = 'suspended', suspended_reason = ${reason}, updated_at = now()
     WHERE id = ${accountId} AND kind = 'customer' AND status = 'active' RETURNING id`;
  if (rows.length > 0) ctx.events.notify(notice(accountId, "account", "account.suspended", { reason }));
  return currentStatus(ctx.sql, accountId, rows.length > 0);
}

/**
 * Reactivates a suspended account (operator). Publishes `account.reactivated`. Idempotent.
 * @throws AccountNotFoundError
 */
export async function reactivateAccount(ctx: LedgerContext, accountId: string): Promise<AccountStatusChange> {
  const rows = await ctx.sql`
    UPDATE accounts SET status = 'active', suspended_reason = NULL, updated_at = now()
     WHERE id = ${accountId} AND kind = 'customer' AND status = 'suspended' RETURNING id`;
  if (rows.length > 0) ctx.events.notify(notice(accountId, "account", "account.reactivated", { reason: "operator" }));
  return currentStatus(ctx.sql, accountId, rows.length > 0);
}

/**
 * Inside a crediting transaction: lifts a `non_payment` suspension once available
 * (balance - held) is back at >= 0. The caller publishes `account.reactivated` after
 * commit when this returns true (see settle-topup.ts).
 */
export async function reactivateIfPaid(tx: Queryable, accountId: string): Promise<boolean> {
  const rows = await tx`
    UPDATE accounts SET status = 'active', suspended_reason = NULL, updated_at = now()
     WHERE id = ${accountId} AND status = 'suspended' AND suspended_reason = 'non_payment' AND balance - held >= 0
    RETURNING id`;
  return rows.length > 0;
}

async function currentStatus(q: Queryable, accountId: string, changed: boolean): Promise<AccountStatusChange> {
  const [row] = await q<{ status: string; suspended_reason: SuspensionReason | null }[]>`
    SELECT status, suspended_reason FROM accounts WHERE id = ${accountId} AND kind = 'customer'`;
  if (!row || row.status === "closed") throw new AccountNotFoundError(accountId);
  return { accountId, status: row.status as "active" | "suspended", suspendedReason: row.suspended_reason, changed };
}
