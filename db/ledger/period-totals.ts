import type { Queryable } from "../client";

/** Money in and out of an account since a moment, in minor units of its currency (both >= 0). */
export interface PeriodTotals {
  /** Sum of `topup` entries (paid top-ups; bonuses and adjustments not included). */
  topups: number;
  /** Sum of `usage` and `capture` entries, as a positive amount. */
  usage: number;
}

/**
 * Top-ups and usage of `accountId` from `from` (inclusive) until now, in one aggregate over
 * the (account_id, created_at) index (a month of entries of one account).
 */
export async function getPeriodTotals(q: Queryable, accountId: string, from: Date): Promise<PeriodTotals> {
  const [row] = await q<{ topups: string | null; usage: string | null }[]>`
    SELECT sum(amount) FILTER (WHERE type = 'topup') AS topups,
           -sum(amount) FILTER (WHERE type IN ('usage', 'capture')) AS usage
      FROM ledger_entries WHERE account_id = ${accountId} AND created_at >= ${from}`;
  return { topups: Number(row?.topups ?? 0), usage: Number(row?.usage ?? 0) };
}
