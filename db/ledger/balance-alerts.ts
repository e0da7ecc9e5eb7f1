import type { Queryable, Sql } from "../client";
import { recordAudit } from "../audit/record-audit";
import { AccountNotFoundError } from "./errors";

/** Most low-balance thresholds per account (issue 10: "up to 5 thresholds"). */
export const MAX_BALANCE_ALERTS = 5;

/** An account's low-balance thresholds (minor units of available balance), highest first, and which are armed. */
export interface BalanceAlerts {
  thresholds: number[];
  /** Thresholds available is currently below (fired, re-armed once available is back at or above them). */
  fired: number[];
}

async function readAlerts(q: Queryable, accountId: string): Promise<BalanceAlerts> {
  const rows = await q<{ threshold: number; armed: boolean }[]>`
    SELECT threshold, armed FROM balance_alerts WHERE account_id = ${accountId} ORDER BY threshold DESC`;
  return { thresholds: rows.map((r) => r.threshold), fired: rows.filter((r) => !r.armed).map((r) => r.threshold) };
}

/** The account's low-balance alerts (see db/schema/balance-alerts.ts). */
export function getBalanceAlerts(q: Queryable, accountId: string): Promise<BalanceAlerts> {
  return readAlerts(q, accountId);
}

/**
 * Replaces the thresholds (the caller checked: at most MAX_BALANCE_ALERTS, distinct, > 0)
 * under the account's row lock, audited as `balance_alerts.updated`. A kept threshold keeps
 * its state; a new one starts armed only if available is at or above it, so a threshold set
 * above the current balance does not fire until the balance has risen above it and fallen again.
 * @throws AccountNotFoundError
 */
export async function setBalanceAlerts(
  sql: Sql,
  accountId: string,
  thresholds: number[],
  by: { actor: string; requestId?: string | null },
): Promise<BalanceAlerts> {
  return sql.begin(async (tx) => {
    const [acc] = await tx<{ available: number }[]>`
      SELECT balance - held AS available FROM accounts WHERE id = ${accountId} AND kind = 'customer' FOR UPDATE`;
    if (!acc) throw new AccountNotFoundError(accountId);
    const before = await readAlerts(tx, accountId);
    await tx`DELETE FROM balance_alerts WHERE account_id = ${accountId} AND NOT (threshold = ANY(${thresholds}::bigint[]))`;
    await tx`
      INSERT INTO balance_alerts (account_id, threshold, armed)
      SELECT ${accountId}, t, ${acc.available} >= t FROM unnest(${thresholds}::bigint[]) AS t
      ON CONFLICT (account_id, threshold) DO NOTHING`;
    const after = await readAlerts(tx, accountId);
    await recordAudit(tx, { ...by, action: "balance_alerts.updated", targetId: accountId, before, after });
    return after;
  });
}
