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

const HOUR_MS = 3_600_000;

/**
 * An account's usage in [from, to), summed per UTC `interval` and meter, oldest first.
 * The whole UTC hours of the range are read from `usage_rollups` (one row per hour and
 * meter, db/schema/usage-rollups.ts); only the partial hours at either end (when `from`
 * or `to` is not on the hour; less than an hour each) are summed from the usage ledger
 * entries on the (account_id, created_at) index. So the cost grows with the range's hours,
 * not with the number of entries, and the answer is exact (the rollups equal the ledger;
 * `npm run verify` checks it). The caller keeps to - from within SUMMARY_INTERVALS[interval] days.
 */
export async function summarizeUsage(
  q: Queryable,
  input: { accountId: string; from: Date; to: Date; interval: SummaryInterval; meter?: string },
): Promise<UsageBucket[]> {
  const { from, to } = input;
  const firstHour = new Date(Math.ceil(from.getTime() / HOUR_MS) * HOUR_MS);
  const lastHour = new Date(Math.floor(to.getTime() / HOUR_MS) * HOUR_MS);
  // whole hours [firstHour, lastHour) from rollups; the rest, [from, firstHour) and [lastHour, to), from entries
  const [hoursFrom, hoursTo] = firstHour < lastHour ? [firstHour, lastHour] : [to, to];
  const meter = input.meter ? q`AND meter = ${input.meter}` : q``;
  const rows = await q<{ start: Date; meter: string | null; quantity: string | null; amount: number }[]>`
    SELECT date_trunc(${input.interval}, t.at, 'UTC') AS start, t.meter,
           sum(t.quantity)::text AS quantity, sum(t.amount)::bigint AS amount
      FROM (
        SELECT hour AS at, meter, quantity, amount FROM usage_rollups
         WHERE account_id = ${input.accountId} AND hour >= ${hoursFrom} AND hour < ${hoursTo} ${meter}
        UNION ALL
        SELECT created_at, meter, quantity, -amount FROM ledger_entries
         WHERE account_id = ${input.accountId} AND type = 'usage' ${meter}
           AND ((created_at >= ${from} AND created_at < ${hoursFrom}) OR (created_at >= ${hoursTo} AND created_at < ${to}))
      ) t
     GROUP BY 1, 2
     ORDER BY 1, 2 NULLS FIRST`;
  return rows.map((r) => ({ start: r.start.toISOString(), meter: r.meter, quantity: r.quantity, amount: r.amount }));
}
