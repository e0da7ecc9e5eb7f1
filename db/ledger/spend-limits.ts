import type { Queryable, Sql } from "../client";
import { recordAudit } from "../audit/record-audit";
import { AccountNotFoundError } from "./errors";
import { spendSoFar } from "./post-entry";

/** An account's spend limits (minor units, null = none) and its usage so far in this UTC day and month. */
export interface SpendLimits {
  daily: number | null;
  monthly: number | null;
  spentToday: number;
  spentThisMonth: number;
  currency: string;
}

async function readSpendLimits(q: Queryable, accountId: string, lock = false): Promise<SpendLimits> {
  const spent = spendSoFar(q);
  const [row] = await q<SpendLimits[]>`
    SELECT spend_limit_daily AS daily, spend_limit_monthly AS monthly, currency,
           ${spent.today} AS "spentToday", ${spent.thisMonth} AS "spentThisMonth"
      FROM accounts WHERE id = ${accountId} AND kind = 'customer'
     ${lock ? q`FOR UPDATE` : q``}`;
  if (!row) throw new AccountNotFoundError(accountId);
  return row;
}

/**
 * The account's spend limits and usage counters (the counters are kept by every usage
 * debit, db/ledger/post-entry.ts).
 * @throws AccountNotFoundError
 */
export function getSpendLimits(q: Queryable, accountId: string): Promise<SpendLimits> {
  return readSpendLimits(q, accountId);
}

/**
 * Sets both limits (null removes one) under the account's row lock, audited as
 * `spend_limits.updated` in the same transaction. A limit below what is already used
 * is allowed: further usage is refused (402 spend_limit_exceeded) until the period ends.
 * @throws AccountNotFoundError
 */
export async function setSpendLimits(
  sql: Sql,
  accountId: string,
  limits: { daily: number | null; monthly: number | null },
  by: { actor: string; requestId?: string | null },
): Promise<SpendLimits> {
  return sql.begin(async (tx) => {
    const before = await readSpendLimits(tx, accountId, true);
    await tx`UPDATE accounts SET spend_limit_daily = ${limits.daily}, spend_limit_monthly = ${limits.monthly}, updated_at = now()
              WHERE id = ${accountId}`;
    const after = { ...before, ...limits };
    await recordAudit(tx, { ...by, action: "spend_limits.updated", targetId: accountId, before, after });
    return after;
  });
}
