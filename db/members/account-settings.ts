import { recordAudit } from "../audit/record-audit";
import type { Queryable, Sql } from "../client";
import { AccountClosedError, LedgerError } from "../ledger/errors";
import { ensureSystemAccounts } from "../ledger/system-accounts";
import type { Actor } from "./members";

/** The account as the settings page shows it (GET /account). Amounts in minor units of `currency`. */
export interface AccountSettings {
  id: string;
  name: string;
  currency: string;
  status: "active" | "suspended" | "closed";
  /** True once any ledger entry or top-up exists: the currency is fixed from then on. */
  moneyMoved: boolean;
  balance: number;
  held: number;
  createdAt: string;
}

interface Row {
  id: string;
  name: string;
  currency: string;
  status: AccountSettings["status"];
  money_moved: boolean;
  balance: number;
  held: number;
  created_at: Date;
}

const toSettings = (r: Row): AccountSettings => ({
  id: r.id,
  name: r.name,
  currency: r.currency,
  status: r.status,
  moneyMoved: r.money_moved,
  balance: r.balance,
  held: r.held,
  createdAt: r.created_at.toISOString(),
});

/**
 * The customer account's settings. `FOR UPDATE` variant locks the account row (the
 * ledger's row lock, db/ledger/post-entry.ts), so no entry can post while it is held.
 * @throws LedgerError not_found
 */
async function readSettings(q: Queryable, accountId: string, lock: boolean): Promise<AccountSettings> {
  const [row] = lock
    ? await q<Row[]>`
        SELECT id, name, currency, status, balance, held, created_at,
               sequence > 0 OR EXISTS (SELECT 1 FROM topups WHERE account_id = accounts.id) AS money_moved
          FROM accounts WHERE id = ${accountId} AND kind = 'customer' FOR UPDATE`
    : await q<Row[]>`
        SELECT id, name, currency, status, balance, held, created_at,
               sequence > 0 OR EXISTS (SELECT 1 FROM topups WHERE account_id = accounts.id) AS money_moved
          FROM accounts WHERE id = ${accountId} AND kind = 'customer'`;
  if (!row) throw new LedgerError("not_found", `No account ${accountId}.`);
  return toSettings(row);
}

/** GET /account. @throws LedgerError not_found */
export function getAccountSettings(q: Queryable, accountId: string): Promise<AccountSettings> {
  return readSettings(q, accountId, false);
}

/**
 * Renames the account and/or sets its currency (ISO 4217, validated by the caller), one
 * audit row (`account.updated`) with both shapes. The currency can change only while no
 * money has moved (no ledger entry, no top-up): amounts already recorded are in the old
 * currency (the new currency's system accounts are opened as at sign-up). Changing to the same values is a no-op (no audit row).
 * @throws LedgerError not_found, account_closed, currency_locked
 */
export async function updateAccountSettings(
  sql: Sql,
  accountId: string,
  actor: Actor,
  change: { name?: string; currency?: string },
): Promise<AccountSettings> {
  return sql.begin(async (tx) => {
    const before = await readSettings(tx, accountId, true);
    if (before.status === "closed") throw new AccountClosedError();
    const name = change.name ?? before.name;
    const currency = change.currency ?? before.currency;
    if (name === before.name && currency === before.currency) return before;
    if (currency !== before.currency && before.moneyMoved) {
      throw new LedgerError(
        "currency_locked",
        `The currency stays ${before.currency}: money has already moved on this account.`,
        {
          currency: before.currency,
        },
      );
    }
    if (currency !== before.currency) await ensureSystemAccounts(tx, currency);
    await tx`UPDATE accounts SET name = ${name}, currency = ${currency}, updated_at = now() WHERE id = ${accountId}`;
    const after = { ...before, name, currency };
    await recordAudit(tx, {
      actor: `user:${actor.userId}`,
      action: "account.updated",
      targetId: accountId,
      before: { name: before.name, currency: before.currency },
      after: { name, currency },
      requestId: actor.requestId,
    });
    return after;
  });
}

/**
 * Closes the account for good (the settings page's danger zone), audited
 * (`account.closed`): only at a zero balance with nothing held, so no customer money is
 * left behind (refunds first: the operator refunds unused top-ups, db/ledger/refunds.ts).
 * Under the account's row lock, so no debit or top-up posts in between; from then on the
 * ledger refuses usage, holds and top-ups (account_closed, db/ledger/post-entry.ts and
 * create-topup.ts) and auto top-up is turned off.
 * @throws LedgerError not_found, account_closed (already), account_not_empty (balance or
 *   holds not zero; details carry both, minor units)
 */
export async function closeAccount(sql: Sql, accountId: string, actor: Actor): Promise<AccountSettings> {
  return sql.begin(async (tx) => {
    const before = await readSettings(tx, accountId, true);
    if (before.status === "closed") throw new AccountClosedError();
    if (before.balance !== 0 || before.held !== 0) {
      throw new LedgerError(
        "account_not_empty",
        "Only an account with a zero balance and nothing held can be closed: use up or have the balance refunded first.",
        { balance: before.balance, held: before.held, currency: before.currency },
      );
    }
    await tx`UPDATE accounts SET status = 'closed', suspended_reason = NULL, updated_at = now() WHERE id = ${accountId}`;
    await tx`UPDATE auto_topup_settings SET enabled = false, updated_at = now() WHERE account_id = ${accountId} AND enabled`;
    await recordAudit(tx, {
      actor: `user:${actor.userId}`,
      action: "account.closed",
      targetId: accountId,
      before: { status: before.status },
      after: { status: "closed" },
      requestId: actor.requestId,
    });
    return { ...before, status: "closed" as const };
  });
}
