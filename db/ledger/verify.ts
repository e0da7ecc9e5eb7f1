import type { Queryable } from "../client";
import { ACCOUNT_TOTALS_BY_LEVEL } from "../schema/account-totals";

/** One broken invariant, with up to 10 example rows. */
export interface Violation {
  invariant: string;
  examples: unknown[];
}

/**
 * The ledger invariants (db/ledger/README.md), each as one query that returns the
 * rows breaking it. Read-only; safe on any database, including production.
 */
const CHECKS: { invariant: string; query: (q: Queryable) => PromiseLike<readonly unknown[]> }[] = [
  {
    invariant: "customer balance = sum of the account's entries, sequence = number of entries",
    query: (q) => q`
      SELECT a.id, a.balance, a.sequence, coalesce(sum(e.amount), 0) AS entries_sum, count(e.id) AS entries
        FROM accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
       WHERE a.kind = 'customer'
       GROUP BY a.id
      HAVING a.balance <> coalesce(sum(e.amount), 0) OR a.sequence <> count(e.id)
       LIMIT 10`,
  },
  {
    invariant: "sequences gap-free per account (1..n) and balanceAfter = running sum",
    query: (q) => q`
      SELECT account_id, sequence, balance_after, running
        FROM (SELECT account_id, sequence, balance_after,
                     sum(amount) OVER w AS running, row_number() OVER w AS n
                FROM ledger_entries WINDOW w AS (PARTITION BY account_id ORDER BY sequence)) s
       WHERE sequence <> n OR balance_after <> running
       LIMIT 10`,
  },
  {
    invariant: "every entry moves money between one customer account and one system account of its currency",
    query: (q) => q`
      SELECT e.id, a.kind AS account_kind, c.kind AS contra_kind, e.currency, a.currency AS account_currency,
             c.currency AS contra_currency
        FROM ledger_entries e
        JOIN accounts a ON a.id = e.account_id
        JOIN accounts c ON c.id = e.contra_account_id
       WHERE a.kind <> 'customer' OR c.kind <> 'system' OR e.currency <> a.currency OR e.currency <> c.currency
       LIMIT 10`,
  },
  {
    invariant: "sum over all accounts (customer balances + derived system balances) = 0 per currency",
    query: (q) => q`
      SELECT currency, sum(total) AS total FROM (
        SELECT currency, balance AS total FROM accounts WHERE kind = 'customer'
        UNION ALL
        SELECT c.currency, -coalesce(sum(e.amount), 0)
          FROM accounts c LEFT JOIN ledger_entries e ON e.contra_account_id = c.id
         WHERE c.kind = 'system' GROUP BY c.id, c.currency
      ) t GROUP BY currency HAVING sum(total) <> 0`,
  },
  {
    invariant: "balance - held >= -overdraftLimit, held >= 0",
    query: (q) => q`
      SELECT id, balance, held, overdraft_limit FROM accounts
       WHERE kind = 'customer' AND (balance - held < -overdraft_limit OR held < 0)
       LIMIT 10`,
  },
  {
    invariant: "held = sum of the account's active holds",
    query: (q) => q`
      SELECT a.id, a.held, coalesce(sum(h.amount), 0) AS active_holds
        FROM accounts a LEFT JOIN holds h ON h.account_id = a.id AND h.status = 'active'
       WHERE a.kind = 'customer'
       GROUP BY a.id
      HAVING a.held <> coalesce(sum(h.amount), 0)
       LIMIT 10`,
  },
  {
    invariant: "a captured hold has one capture entry of its captured amount (<= the hold)",
    query: (q) => q`
      SELECT h.id, h.amount, h.captured_amount, e.amount AS entry_amount
        FROM holds h LEFT JOIN ledger_entries e ON e.id = h.capture_entry_id
       WHERE (h.status = 'captured') <> (e.id IS NOT NULL)
          OR (e.id IS NOT NULL AND (e.amount <> -h.captured_amount OR e.type <> 'capture' OR h.captured_amount > h.amount))
       LIMIT 10`,
  },
  {
    invariant: "each idempotency key applied at most once per account",
    query: (q) => q`
      SELECT account_id, idempotency_key, count(*) FROM ledger_entries
       WHERE idempotency_key IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1 LIMIT 10`,
  },
  {
    invariant: "each external payment reference applied at most once",
    query: (q) => q`
      SELECT external_ref, count(*) FROM ledger_entries
       WHERE external_ref IS NOT NULL GROUP BY 1 HAVING count(*) > 1 LIMIT 10`,
  },
  {
    invariant: "a succeeded top-up has exactly one entry, of its amount; others have none",
    query: (q) => q`
      SELECT t.id, t.status, t.amount, e.amount AS entry_amount
        FROM topups t LEFT JOIN ledger_entries e ON e.id = t.ledger_entry_id
       WHERE (t.status = 'succeeded') <> (e.id IS NOT NULL)
          OR (e.id IS NOT NULL AND (e.amount <> t.amount OR e.account_id <> t.account_id))
       LIMIT 10`,
  },
  {
    invariant:
      "a payment reversal's entry moves its recovered amount (refund, dispute: taken; dispute_won, refund_failed: given back); " +
      "refunds and open disputes of a top-up take at most its amount",
    query: (q) => q`
      SELECT r.id, r.kind, r.amount, r.recovered, e.amount AS entry_amount, e.account_id AS entry_account
        FROM payment_reversals r LEFT JOIN ledger_entries e ON e.id = r.ledger_entry_id
       WHERE (r.recovered > 0) <> (e.id IS NOT NULL)
          OR (e.id IS NOT NULL AND (e.account_id <> r.account_id
              OR e.amount <> CASE WHEN r.kind IN ('dispute_won', 'refund_failed') THEN r.recovered ELSE -r.recovered END))
       UNION ALL
      SELECT t.id, 'topup', t.amount, sum(r.recovered * CASE WHEN r.kind IN ('dispute_won', 'refund_failed') THEN -1 ELSE 1 END), NULL, NULL
        FROM topups t JOIN payment_reversals r ON r.topup_id = t.id
       GROUP BY t.id, t.amount
      HAVING sum(r.recovered * CASE WHEN r.kind IN ('dispute_won', 'refund_failed') THEN -1 ELSE 1 END) > t.amount
       LIMIT 10`,
  },
  {
    invariant: "usage rollups = the usage entries summed per account, UTC hour, meter and currency",
    // meter keys are never '' (meters_key_format), so coalesce(meter, '') tells plain amounts apart
    query: (q) => q`
      SELECT coalesce(l.account_id, r.account_id) AS account_id, coalesce(l.hour, r.hour) AS hour,
             coalesce(l.meter, r.meter) AS meter, l.quantity AS entries_quantity, r.quantity AS rollup_quantity,
             l.amount AS entries_amount, r.amount AS rollup_amount, l.entries, r.entries AS rollup_entries
        FROM (SELECT account_id, date_trunc('hour', created_at, 'UTC') AS hour, meter, currency,
                     sum(quantity) AS quantity, -sum(amount) AS amount, count(*) AS entries
                FROM ledger_entries WHERE type = 'usage' GROUP BY 1, 2, 3, 4) l
        FULL JOIN usage_rollups r
          ON r.account_id = l.account_id AND r.hour = l.hour AND coalesce(r.meter, '') = coalesce(l.meter, '')
         AND r.currency = l.currency
       WHERE l.account_id IS NULL OR r.account_id IS NULL OR l.quantity IS DISTINCT FROM r.quantity
          OR l.amount <> r.amount OR l.entries <> r.entries
       LIMIT 10`,
  },
  {
    invariant:
      "the daily rollups (ledger_daily_totals, read by the operator analytics) equal the ledger summed per UTC day, currency, shard and type",
    query: (q) => q`
      WITH l AS (
        SELECT (created_at AT TIME ZONE 'UTC')::date AS day, currency, (hashtext(account_id) & 31)::smallint AS shard,
               coalesce(sum(amount) FILTER (WHERE type = 'topup'), 0) AS topup,
               coalesce(sum(amount) FILTER (WHERE type = 'usage'), 0) AS usage,
               coalesce(sum(amount) FILTER (WHERE type = 'capture'), 0) AS capture,
               coalesce(sum(amount) FILTER (WHERE type = 'promotion'), 0) AS promotion,
               coalesce(sum(amount) FILTER (WHERE type = 'adjustment'), 0) AS adjustment,
               coalesce(sum(amount) FILTER (WHERE type = 'refund'), 0) AS refund,
               coalesce(sum(amount) FILTER (WHERE type = 'dispute'), 0) AS dispute,
               count(*) AS entries
          FROM ledger_entries GROUP BY 1, 2, 3
      )
      SELECT coalesce(l.day, t.day) AS day, coalesce(l.currency, t.currency) AS currency, coalesce(l.shard, t.shard) AS shard,
             to_jsonb(l) - 'day' - 'currency' - 'shard' AS ledger, to_jsonb(t) - 'day' - 'currency' - 'shard' AS rollup
        FROM l FULL JOIN ledger_daily_totals t ON t.day = l.day AND t.currency = l.currency AND t.shard = l.shard
       WHERE l.day IS NULL OR t.day IS NULL
          OR (l.topup, l.usage, l.capture, l.promotion, l.adjustment, l.refund, l.dispute, l.entries)
             IS DISTINCT FROM (t.topup, t.usage, t.capture, t.promotion, t.adjustment, t.refund, t.dispute, t.entries)
       LIMIT 10`,
  },
  ...Object.entries(ACCOUNT_TOTALS_BY_LEVEL).map(([level, { table, period: column }]) => ({
    invariant:
      `the per-account ${level} rollups (${table}, read by top-accounts) equal ` +
      `the ledger's topup, usage and capture entries summed per account, UTC ${level} and currency`,
    query: (q: Queryable) => {
      const period = q`date_trunc(${level}, created_at AT TIME ZONE 'UTC')::date`;
      const rollup = q`SELECT ${q(column)} AS period, * FROM ${q(table)}`;
      return q`
        WITH l AS (
          SELECT ${period} AS period, account_id, currency,
                 coalesce(sum(amount) FILTER (WHERE type = 'topup'), 0) AS topup, count(*) FILTER (WHERE type = 'topup') AS topup_entries,
                 coalesce(sum(amount) FILTER (WHERE type = 'usage'), 0) AS usage, count(*) FILTER (WHERE type = 'usage') AS usage_entries,
                 coalesce(sum(amount) FILTER (WHERE type = 'capture'), 0) AS capture, count(*) FILTER (WHERE type = 'capture') AS capture_entries
            FROM ledger_entries WHERE type IN ('topup', 'usage', 'capture') GROUP BY 1, 2, 3
        )
        SELECT coalesce(l.period, t.period)::text AS period, coalesce(l.account_id, t.account_id) AS account_id,
               coalesce(l.currency, t.currency) AS currency,
               to_jsonb(l) - 'period' - 'account_id' - 'currency' AS ledger,
               to_jsonb(t) - 'period' - ${column} - 'account_id' - 'currency' AS rollup
          FROM l FULL JOIN (${rollup}) t ON t.period = l.period AND t.account_id = l.account_id AND t.currency = l.currency
         WHERE l.period IS NULL OR t.period IS NULL
            OR (l.topup, l.topup_entries, l.usage, l.usage_entries, l.capture, l.capture_entries)
               IS DISTINCT FROM (t.topup, t.topup_entries, t.usage, t.usage_entries, t.capture, t.capture_entries)
         LIMIT 10`;
    },
  })),
];

/** Runs every invariant check; an empty array means the books are sound. */
export async function verifyLedger(q: Queryable): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const check of CHECKS) {
    const rows = await check.query(q);
    if (rows.length > 0) violations.push({ invariant: check.invariant, examples: [...rows] });
  }
  return violations;
}
