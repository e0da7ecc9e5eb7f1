import { recordAudit, type AuditBy } from "../audit/record-audit";
import { withTransaction } from "../client";
import { suspendAccount } from "./account-status";
import { AccountNotFoundError, OverdraftInUseError } from "./errors";
import type { LedgerContext } from "./types";

/** An account's overdraft after a change. Minor units. */
export interface OverdraftLimit {
  accountId: string;
  overdraftLimit: number;
  /** balance - held; below 0 means the overdraft is in use. */
  available: number;
}

/**
 * Sets how far below zero a customer account's available balance may go (shared/DESIGN.md:
 * `balance - held >= -overdraftLimit`). One guarded, row-locking UPDATE: a limit below
 * what the account already uses is refused, so the invariant `verify` checks always holds.
 * The change is audited (`account.overdraft_set`, before/after limit, by `by`) in the same
 * transaction; a refused one writes nothing.
 * @throws AccountNotFoundError, OverdraftInUseError
 */
export async function setOverdraftLimit(
  ctx: LedgerContext,
  accountId: string,
  limit: number,
  by: AuditBy,
): Promise<OverdraftLimit> {
  return withTransaction(ctx.sql, async (tx) => {
    const [row] = await tx<{ overdraft_limit: number; before: number; available: number; changed: boolean }[]>`
      WITH old AS (
        SELECT id, overdraft_limit FROM accounts
         WHERE id = ${accountId} AND kind = 'customer' AND status <> 'closed' FOR UPDATE
      ), u AS (
        UPDATE accounts a SET overdraft_limit = ${limit}, updated_at = now()
          FROM old WHERE a.id = old.id AND a.balance - a.held >= -${limit}::bigint
        RETURNING a.overdraft_limit, old.overdraft_limit AS before, a.balance - a.held AS available
      )
      SELECT overdraft_limit, before, available, true AS changed FROM u
      UNION ALL
      SELECT a.overdraft_limit, a.overdraft_limit, a.balance - a.held, false FROM accounts a JOIN old ON old.id = a.id
       WHERE NOT EXISTS (SELECT 1 FROM u)`;
    if (!row) throw new AccountNotFoundError(accountId);
    if (!row.changed) throw new OverdraftInUseError(row.available, limit);
    await recordAudit(tx, {
      ...by,
      action: "account.overdraft_set",
      targetId: accountId,
      before: { overdraftLimit: row.before },
      after: { overdraftLimit: row.overdraft_limit },
    });
    return { accountId, overdraftLimit: row.overdraft_limit, available: row.available };
  });
}

/** Accounts one sweep suspends at most: 500 (bounded work; the next sweep continues). */
const SWEEP_BATCH = 500;

/**
 * The non-payment rule: suspends (reason `non_payment`) every active customer account
 * whose balance has been below zero, on its overdraft, since before `overdrawnBefore`:
 * the entry that took it below zero (the one after its last entry with balanceAfter >= 0)
 * is older than that. `account.suspended` goes out as for an operator's suspension; a
 * top-up that brings available back to >= 0 reactivates it (reactivateIfPaid).
 * @returns the ids of the accounts it suspended
 */
export async function suspendOverdrawnAccounts(ctx: LedgerContext, overdrawnBefore: Date): Promise<string[]> {
  const rows = await ctx.sql<{ id: string }[]>`
    SELECT a.id FROM accounts a
     WHERE a.kind = 'customer' AND a.status = 'active' AND a.balance < 0
       AND (SELECT e.created_at FROM ledger_entries e
             WHERE e.account_id = a.id
               AND e.sequence = 1 + coalesce((SELECT max(p.sequence) FROM ledger_entries p
                                               WHERE p.account_id = a.id AND p.balance_after >= 0), 0)) < ${overdrawnBefore}
     LIMIT ${SWEEP_BATCH}`;
  const suspended: string[] = [];
  for (const { id } of rows) {
    if ((await suspendAccount(ctx, id, "non_payment", true)).changed) suspended.push(id);
  }
  return suspended;
}
