import type { Queryable } from "../client";

/**
 * Operator analytics (GET /operator/analytics/*), read from `ledger_daily_totals`, the
 * per-day rollups the ledger keeps in each posting's transaction (db/schema/ledger-daily-totals.ts;
 * `npm run verify` checks them against the entries). Days are UTC; `from` is inclusive and
 * `to` exclusive, both `YYYY-MM-DD`. Amounts are minor units of `currency`, from the
 * platform's side: positive = in the direction the name says.
 */
export interface RevenueFigures {
  /** Top-ups collected (topup entries). */
  topups: number;
  /** Paid back to customers' cards (refund entries, net of refunds the provider refused). */
  refunds: number;
  /** Withdrawn by card disputes, net of disputes won. */
  disputes: number;
  /** Usage revenue recognised: usage debits and hold captures. */
  usage: number;
  /** Net operator adjustments credited to customers (negative: debited). */
  adjustments: number;
  /** Promotions and bonuses credited to customers. */
  promotions: number;
  /** Money kept: topups - refunds - disputes. */
  net: number;
  /** Change of the customer balances (the liability): the sum of every entry. */
  balanceChange: number;
}

export interface RevenueBucket extends RevenueFigures {
  /** First day of the bucket, YYYY-MM-DD. */
  start: string;
  currency: string;
}

/** Buckets of `interval`: `day`, or calendar `month` (UTC). */
export type Interval = "day" | "month";

interface FigureRow {
  topup: number;
  refund: number;
  dispute: number;
  usage: number;
  adjustment: number;
  promotion: number;
}

const toFigures = (r: FigureRow): RevenueFigures => ({
  topups: r.topup,
  refunds: -r.refund,
  disputes: -r.dispute,
  usage: -r.usage,
  adjustments: r.adjustment,
  promotions: r.promotion,
  net: r.topup + r.refund + r.dispute,
  balanceChange: r.topup + r.refund + r.dispute + r.usage + r.adjustment + r.promotion,
});

/**
 * Revenue per bucket and currency, every bucket of the range present (zeros where nothing
 * happened) for each currency that has entries in the range (or just `currency`), ordered
 * by start, then currency; with totals per currency over the range. One aggregate over at
 * most 32 rollup rows per day and currency (12 months by day: about 11 700 rows per currency).
 */
export async function revenue(
  q: Queryable,
  range: { from: string; to: string; interval: Interval; currency?: string },
): Promise<{ data: RevenueBucket[]; totals: (RevenueFigures & { currency: string })[] }> {
  const unit = range.interval === "month" ? "month" : "day";
  const rows = await q<(FigureRow & { start: string; currency: string })[]>`
    WITH sums AS (
      SELECT date_trunc(${unit}, day::timestamp)::date AS start, currency,
             sum(topup)::bigint AS topup, sum(refund)::bigint AS refund, sum(dispute)::bigint AS dispute,
             (sum(usage) + sum(capture))::bigint AS usage, sum(adjustment)::bigint AS adjustment,
             sum(promotion)::bigint AS promotion
        FROM ledger_daily_totals
       WHERE day >= ${range.from}::date AND day < ${range.to}::date
         AND (${range.currency ?? null}::text IS NULL OR currency = ${range.currency ?? null})
       GROUP BY 1, 2
    ), currencies AS (
      SELECT DISTINCT currency FROM sums
       UNION SELECT ${range.currency ?? null}::text WHERE ${range.currency ?? null}::text IS NOT NULL
    ), buckets AS (
      SELECT generate_series(date_trunc(${unit}, ${range.from}::date::timestamp), (${range.to}::date - 1)::timestamp, ('1 ' || ${unit})::interval)::date AS start
    )
    SELECT b.start::text AS start, c.currency,
           coalesce(s.topup, 0)::bigint AS topup, coalesce(s.refund, 0)::bigint AS refund,
           coalesce(s.dispute, 0)::bigint AS dispute, coalesce(s.usage, 0)::bigint AS usage,
           coalesce(s.adjustment, 0)::bigint AS adjustment, coalesce(s.promotion, 0)::bigint AS promotion
      FROM buckets b CROSS JOIN currencies c
      LEFT JOIN sums s ON s.start = b.start AND s.currency = c.currency
     ORDER BY b.start, c.currency`;
  const data = rows.map((r) => ({ start: r.start, currency: r.currency, ...toFigures(r) }));
  const totals = new Map<string, FigureRow>();
  for (const r of rows) {
    const t = totals.get(r.currency) ?? { topup: 0, refund: 0, dispute: 0, usage: 0, adjustment: 0, promotion: 0 };
    for (const k of ["topup", "refund", "dispute", "usage", "adjustment", "promotion"] as const) t[k] += r[k];
    totals.set(r.currency, t);
  }
  return { data, totals: [...totals].map(([currency, t]) => ({ currency, ...toFigures(t) })) };
}

/** The customer balances of one currency (the liability: prepaid money owed as service) and their change over a period. */
export interface Liability {
  currency: string;
  /** The sum of every customer balance now, minor units. */
  balance: number;
  /** The sum at the start of `from` and of `to` (UTC days), and closing - opening. */
  openingBalance: number;
  closingBalance: number;
  change: number;
}

/**
 * The liability per currency: the sum of the rollups (= the sum of every entry = the sum of
 * customer balances, db/ledger/README.md rule 3), without reading the accounts.
 */
export async function liability(q: Queryable, range: { from: string; to: string }): Promise<Liability[]> {
  const rows = await q<{ currency: string; balance: number; opening: number; closing: number }[]>`
    SELECT currency,
           sum(topup + usage + capture + promotion + adjustment + refund + dispute)::bigint AS balance,
           coalesce(sum(topup + usage + capture + promotion + adjustment + refund + dispute) FILTER (WHERE day < ${range.from}::date), 0)::bigint AS opening,
           coalesce(sum(topup + usage + capture + promotion + adjustment + refund + dispute) FILTER (WHERE day < ${range.to}::date), 0)::bigint AS closing
      FROM ledger_daily_totals GROUP BY currency ORDER BY currency`;
  return rows.map((r) => ({
    currency: r.currency,
    balance: r.balance,
    openingBalance: r.opening,
    closingBalance: r.closing,
    change: r.closing - r.opening,
  }));
}

/** What top-accounts ranks by: usage recognised (usage + capture) or top-ups collected. */
export type TopMetric = "usage" | "topups";

export interface TopAccount {
  accountId: string;
  name: string;
  currency: string;
  /** Minor units of `metric` in the range (positive). */
  amount: number;
  /** Entries counted. */
  entries: number;
}

/**
 * The accounts with the most usage or top-ups in [from, to) (UTC days), per currency, largest
 * first (ties by id). Reads the entries of the range (not rolled up per account): fine for
 * the console's ranges, a full scan of the range on 10 million entries.
 */
export async function topAccounts(
  q: Queryable,
  range: { metric: TopMetric; from: string; to: string; currency?: string; limit: number },
): Promise<TopAccount[]> {
  const types = range.metric === "usage" ? ["usage", "capture"] : ["topup"];
  const sign = range.metric === "usage" ? -1 : 1;
  const rows = await q<{ account_id: string; name: string; currency: string; amount: number; entries: number }[]>`
    SELECT t.account_id, a.name, t.currency, t.amount, t.entries
      FROM (SELECT account_id, currency, (${sign}::int * sum(amount))::bigint AS amount, count(*)::int AS entries
              FROM ledger_entries
             WHERE type = ANY(${types}) AND created_at >= ${range.from}::date::timestamp AT TIME ZONE 'UTC' AND created_at < ${range.to}::date::timestamp AT TIME ZONE 'UTC'
               AND (${range.currency ?? null}::text IS NULL OR currency = ${range.currency ?? null})
             GROUP BY account_id, currency) t
      JOIN accounts a ON a.id = t.account_id
     ORDER BY t.amount DESC, t.account_id
     LIMIT ${range.limit}`;
  return rows.map((r) => ({ accountId: r.account_id, name: r.name, currency: r.currency, amount: r.amount, entries: r.entries }));
}
