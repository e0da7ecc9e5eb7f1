import type { Queryable } from "../client";

/** Bucket sizes of the usage summary, with the longest range each may cover ("put a limit on everything"). */
export const SUMMARY_INTERVALS = { hour: 31, day: 366, month: 5 * 366 } as const;
export type SummaryInterval = keyof typeof SUMMARY_INTERVALS;

/** Usage of one meter (null: plain amounts) in one UTC interval: quantity (exact decimal, null for plain amounts) and amount debited (minor units). */
export interface UsageBucket {
  start: string;
  meter: string | null;
  quantity: string | null;
  amount: number;
}

/**
 * An account's usage entries in [from, to), summed per UTC `interval` and meter, oldest
 * first (ledger_entries of type usage, read through the (account_id, created_at) index).
 * The caller keeps to - from within SUMMARY_INTERVALS[interval] days.
 */
export async function summarizeUsage(
  q: Queryable,
  input: { accountId: string; from: Date; to: Date; interval: SummaryInterval; meter?: string },
): Promise<UsageBucket[]> {
  const rows = await q<{ start: Date; meter: string | null; quantity: string | null; amount: number }[]>`
    SELECT date_trunc(${input.interval}, created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS start,
           meter, sum(quantity)::text AS quantity, (-sum(amount))::bigint AS amount
      FROM ledger_entries
     WHERE account_id = ${input.accountId} AND type = 'usage'
       AND created_at >= ${input.from} AND created_at < ${input.to}
       ${input.meter ? q`AND meter = ${input.meter}` : q``}
     GROUP BY 1, meter
     ORDER BY 1, meter NULLS FIRST`;
  return rows.map((r) => ({ start: r.start.toISOString(), meter: r.meter, quantity: r.quantity, amount: r.amount }));
}
