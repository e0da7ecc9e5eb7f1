import { type Queryable, withTransaction } from "../client";
import { ACCOUNT_TOTALS_BY_LEVEL } from "../schema/account-totals";

/**
 * Operator analytics (GET /operator/analytics/*), read from the rollups the ledger keeps in each
 * posting's transaction, never from the entries: `ledger_daily_totals` (per day and shard,
 * db/schema/ledger-daily-totals.ts) for revenue and liability, the per-account day / month / year
 * totals (db/schema/account-totals.ts) for top-accounts; `npm run verify` checks them against
 * the entries. Days are UTC; `from` is inclusive and
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

/** A period table of the per-account rollups (db/schema/account-totals.ts). */
export type RollupLevel = keyof typeof ACCOUNT_TOTALS_BY_LEVEL;

/**
 * A signed run of whole periods of one level: the rollup rows of `level` whose period starts
 * in [from, to) (UTC days, YYYY-MM-DD, on the level's boundaries), added (`sign` 1) or subtracted.
 */
export interface RollupTerm {
  level: RollupLevel;
  from: string;
  to: string;
  sign: 1 | -1;
}

const DAY_MS = 86_400_000;
const LEVELS: readonly RollupLevel[] = ["year", "month", "day"];
/**
 * Estimated rollup rows of one period relative to a day's: a month or a year holds at least as
 * many accounts as any of its days (as many in a dense ledger, where every account posts daily;
 * several times more in a sparse one).
 */
const WEIGHT: Record<RollupLevel, number> = { day: 1, month: 2, year: 3 };
/** Each term is one more index range scan: among plans of equal weight, the one with fewer terms. */
const TERM_COST = 0.01;

const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const isoDay = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** The start (day number) of the period of `level` holding day `d`. */
function floorTo(level: RollupLevel, d: number): number {
  if (level === "day") return d;
  const t = new Date(d * DAY_MS);
  return Date.UTC(t.getUTCFullYear(), level === "month" ? t.getUTCMonth() : 0, 1) / DAY_MS;
}

/** The start of the period after the one starting at `start`. */
function nextStart(level: RollupLevel, start: number): number {
  if (level === "day") return start + 1;
  const t = new Date(start * DAY_MS);
  return level === "month"
    ? Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1) / DAY_MS
    : Date.UTC(t.getUTCFullYear() + 1, 0, 1) / DAY_MS;
}

const ceilTo = (level: RollupLevel, d: number) => (floorTo(level, d) === d ? d : nextStart(level, floorTo(level, d)));

interface Plan {
  terms: RollupTerm[];
  cost: number;
}

/**
 * The cost of reading the periods of `level` starting in [a, b) (a <= b, on boundaries): each
 * period weighs WEIGHT in proportion to its part up to today (periods after today hold no
 * entries: their range scans find nothing).
 */
function termCost(level: RollupLevel, a: number, b: number, today: number): number {
  let cost = TERM_COST;
  for (let p = a; p < b && p <= today; ) {
    const next = nextStart(level, p);
    cost += (WEIGHT[level] * (Math.min(next, today + 1) - p)) / (next - p);
    p = next;
  }
  return cost;
}

/**
 * The cheapest signed cover of [a, b) (day numbers; a > b: the run [b, a) subtracted) with
 * periods of `LEVELS[i]` and finer: either the finer levels alone, or whole periods of this
 * level from a boundary next to `a` (below or above it) to one next to `b`, with the pieces
 * between those boundaries and a, b covered by finer levels (and subtracted where the
 * boundary lies inside the range). Sum[a, b) = Sum[a, A) + Sum[A, B) + Sum[B, b) for any A, B.
 */
function cover(a: number, b: number, i: number, today: number): Plan {
  if (a === b) return { terms: [], cost: 0 };
  const level = LEVELS[i]!;
  const run = (from: number, to: number): Plan => {
    const [lo, hi] = from < to ? [from, to] : [to, from];
    return { terms: [{ level, from: isoDay(lo), to: isoDay(hi), sign: from < to ? 1 : -1 }], cost: termCost(level, lo, hi, today) };
  };
  if (level === "day") return run(a, b);
  let best = cover(a, b, i + 1, today);
  for (const A of new Set([floorTo(level, a), ceilTo(level, a)])) {
    for (const B of new Set([floorTo(level, b), ceilTo(level, b)])) {
      const parts = [cover(a, A, i + 1, today), A === B ? { terms: [], cost: 0 } : run(A, B), cover(B, b, i + 1, today)];
      const cost = parts.reduce((c, p) => c + p.cost, 0);
      if (cost < best.cost) best = { terms: parts.flatMap((p) => p.terms), cost };
    }
  }
  return best;
}

/**
 * The rollup periods whose signed sum is exactly [from, to) (UTC days, `from` < `to`): e.g. the
 * last 12 months on 2026-12-03, [2025-12-03, 2026-12-04), are the year 2026 plus the month
 * 2025-12 minus the days 2025-12-01..02 and the (empty) days 2026-12-04..31; the last 30 days
 * are a month or two minus a few days. Whatever the range's length, each edge costs at most
 * about 15 days and 6 months (an edge in the middle of a month in the middle of a year), and
 * the periods after today nothing. `today` (default: now, UTC) only steers the choice.
 */
export function rollupTerms(from: string, to: string, today: string = isoDay(Math.floor(Date.now() / DAY_MS))): RollupTerm[] {
  return cover(dayNumber(from), dayNumber(to), 0, dayNumber(today)).terms;
}

/**
 * The accounts with the most usage (usage + capture entries) or top-ups in [from, to) (UTC
 * days), per currency or all, largest first (ties by id), exact: from the per-account rollups
 * (db/schema/account-totals.ts: per day, month and year, kept by the ledger's statement-level
 * trigger in each posting's transaction and checked by `verify`), never from the entries. The
 * range is the signed sum of a few periods (`rollupTerms`), summed per account in one aggregate:
 * a request reads about one rollup row per active account and period, not the range's entries
 * (on 10 million entries and 100 000 accounts, the last 12 months read ~200 000 rows: this
 * year's and last December's). Only accounts with at least one entry of the metric in the range
 * appear (an amount of 0 is possible: priced usage of less than a minor unit).
 */
export async function topAccounts(
  q: Queryable,
  range: { metric: TopMetric; from: string; to: string; currency?: string; limit: number },
): Promise<TopAccount[]> {
  const usage = range.metric === "usage";
  const currency = range.currency ?? null;
  const terms = rollupTerms(range.from, range.to);
  const rows = await withTransaction(q, async (tx) => {
    const select = (t: RollupTerm) => {
      const amount = usage ? tx`${t.sign}::int * -(usage + capture)` : tx`${t.sign}::int * topup`;
      const entries = usage ? tx`${t.sign}::int * (usage_entries + capture_entries)` : tx`${t.sign}::int * topup_entries`;
      const where = tx`${usage ? tx`usage_entries + capture_entries` : tx`topup_entries`} > 0
        AND (${currency}::text IS NULL OR currency = ${currency})`;
      const { table, period } = ACCOUNT_TOTALS_BY_LEVEL[t.level];
      return tx`SELECT account_id, currency, ${amount} AS amount, ${entries} AS entries FROM ${tx(table)}
                 WHERE ${tx(period)} >= ${t.from}::date AND ${tx(period)} < ${t.to}::date AND ${where}`;
    };
    const periods = terms.slice(1).reduce((all, t) => tx`${all} UNION ALL ${select(t)}`, select(terms[0]!));
    // ~300 bytes of hash table per account: 100 000 accounts aggregate in memory. One group per
    // account: parallel workers would each build most of the groups again (partial aggregates),
    // slower than one process on a 2-core database.
    await tx`SELECT set_config('work_mem', '64MB', true), set_config('max_parallel_workers_per_gather', '0', true)`;
    // sum_bigint (migration 0022): sum() that stays bigint (overflow raises), no numeric
    return tx<{ account_id: string; name: string; currency: string; amount: number; entries: number }[]>`
      WITH top AS (
        SELECT account_id, currency, sum_bigint(amount) AS amount, sum_bigint(entries) AS entries
          FROM (${periods}) p
         GROUP BY account_id, currency
        HAVING sum_bigint(entries) > 0
         ORDER BY amount DESC, account_id
         LIMIT ${range.limit})
      SELECT t.account_id, a.name, t.currency, t.amount, t.entries
        FROM top t JOIN accounts a ON a.id = t.account_id
       ORDER BY t.amount DESC, t.account_id`;
  });
  return rows.map((r) => ({ accountId: r.account_id, name: r.name, currency: r.currency, amount: r.amount, entries: r.entries }));
}
