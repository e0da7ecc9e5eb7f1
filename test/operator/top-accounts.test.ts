import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// the harness first: it loads @hono/zod-openapi, which must extend zod before db/money.ts builds its schemas
import { createTestContext, type TestContext } from "../harness";
import { openAccount } from "../../db/ledger/open-account";
import type { LedgerEntry } from "../../db/ledger/types";
import { verifyLedger } from "../../db/ledger/verify";
import { rollupTerms, topAccounts, type TopMetric } from "../../db/operator/analytics";
import { asOperator, OPERATOR_KEY } from "./helpers";

/**
 * GET /operator/analytics/top-accounts reads the per-account day / month / year rollups
 * (db/schema/account-totals.ts) kept by the statement-level ledger trigger: its answers equal a
 * plain SUM over ledger_entries for any range (mid-month, across months and years, ending in the
 * future), the rollups equal the ledger after multi-account and concurrent batches, and `verify`
 * reports a rollup that drifts.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

const CURRENCY = "CHF";
const DAY_MS = 86_400_000;
const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const isoDay = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
const daysFromToday = (n: number) => isoDay(Math.floor(Date.now() / DAY_MS) + n);
const CONTRA: Record<LedgerEntry["type"], string> = {
  topup: "stripe_clearing",
  usage: "usage_revenue",
  capture: "usage_revenue",
  promotion: "promotions",
  adjustment: "adjustments",
  refund: "refunds",
  dispute: "disputes",
};

/**
 * Posts an entry stamped `at` (the verbs stamp now()), keeping the account's balance, sequence
 * and balanceAfter, as the history would have been written; the rollup trigger sees it like any
 * posting. `priced`: a priced usage entry (meter, quantity, unit price), which may be of 0.
 */
async function entryAt(accountId: string, type: LedgerEntry["type"], amount: number, at: string, priced = false) {
  await ctx.deps.database.sql.begin(async (tx) => {
    const [acc] = await tx<{ balance: number; sequence: number; currency: string }[]>`
      UPDATE accounts SET balance = balance + ${amount}, sequence = sequence + 1 WHERE id = ${accountId}
      RETURNING balance, sequence, currency`;
    await tx`
      INSERT INTO ledger_entries (id, account_id, contra_account_id, type, amount, balance_after, sequence, currency, created_at,
                                  meter, quantity, unit_price)
      VALUES (${`le_top_${accountId}_${acc!.sequence}`}, ${accountId}, ${`sys_${CONTRA[type]}_${acc!.currency}`}, ${type},
              ${amount}, ${acc!.balance}, ${acc!.sequence}, ${acc!.currency}, ${at}::timestamptz,
              ${priced ? "tokens" : null}, ${priced ? "0.4" : null}::numeric, ${priced ? "1" : null}::numeric)`;
  });
}

/** POST /usage/batch with the operator key (events name their accountId). */
const asOperatorBatch = (events: { id: string; accountId: string; amount: number }[]) =>
  ctx.request("POST", "/api/v1/usage/batch", { apiKey: OPERATOR_KEY, body: { events } });

/** The same ranking summed straight from ledger_entries. */
async function ledgerTop(metric: TopMetric, from: string, to: string, currency: string, limit: number) {
  const types = metric === "usage" ? ["usage", "capture"] : ["topup"];
  const rows = await ctx.deps.database.sql<{ accountId: string; amount: number; entries: number }[]>`
    SELECT account_id AS "accountId", (${metric === "usage" ? -1 : 1}::int * sum(amount))::bigint AS amount, count(*)::int AS entries
      FROM ledger_entries
     WHERE type = ANY(${types}) AND currency = ${currency}
       AND created_at >= ${from}::date::timestamp AT TIME ZONE 'UTC' AND created_at < ${to}::date::timestamp AT TIME ZONE 'UTC'
     GROUP BY account_id
     ORDER BY amount DESC, account_id
     LIMIT ${limit}`;
  return [...rows];
}

/** The rows of the three per-account rollups for `accounts`, and the same sums from the ledger. */
async function rollupsAndLedger(accounts: string[]) {
  const { sql } = ctx.deps.database;
  const rollups = await sql`
    SELECT 'day' AS level, day AS start, account_id, currency, topup, topup_entries, usage, usage_entries, capture, capture_entries
      FROM account_daily_totals WHERE account_id = ANY(${accounts})
    UNION ALL
    SELECT 'month', month, account_id, currency, topup, topup_entries, usage, usage_entries, capture, capture_entries
      FROM account_monthly_totals WHERE account_id = ANY(${accounts})
    UNION ALL
    SELECT 'year', year, account_id, currency, topup, topup_entries, usage, usage_entries, capture, capture_entries
      FROM account_yearly_totals WHERE account_id = ANY(${accounts})
    ORDER BY 1, 2, 3`;
  const ledger = await sql`
    SELECT l.level, date_trunc(l.level, e.created_at AT TIME ZONE 'UTC')::date AS start, e.account_id, e.currency,
           coalesce(sum(e.amount) FILTER (WHERE e.type = 'topup'), 0)::bigint AS topup, count(*) FILTER (WHERE e.type = 'topup')::bigint AS topup_entries,
           coalesce(sum(e.amount) FILTER (WHERE e.type = 'usage'), 0)::bigint AS usage, count(*) FILTER (WHERE e.type = 'usage')::bigint AS usage_entries,
           coalesce(sum(e.amount) FILTER (WHERE e.type = 'capture'), 0)::bigint AS capture, count(*) FILTER (WHERE e.type = 'capture')::bigint AS capture_entries
      FROM ledger_entries e CROSS JOIN (VALUES ('day'), ('month'), ('year')) l(level)
     WHERE e.account_id = ANY(${accounts}) AND e.type IN ('topup', 'usage', 'capture')
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3`;
  return { rollups: [...rollups], ledger: [...ledger] };
}

const rollupViolations = async (q: Parameters<typeof verifyLedger>[0] = ctx.deps.database.sql) =>
  (await verifyLedger(q)).filter((v) => v.invariant.includes("rollups"));

describe("rollupTerms", () => {
  it("covers [from, to) exactly with signed whole days, months and years, a few per edge", () => {
    const start = dayNumber("2020-01-01");
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_500 }),
        fc.integer({ min: 1, max: 3 * 366 }),
        fc.integer({ min: -400, max: 1_500 }),
        (a, length, todayOffset) => {
          const from = start + a;
          const to = from + length;
          const terms = rollupTerms(isoDay(from), isoDay(to), isoDay(from + todayOffset));
          const count = new Map<number, number>();
          const misaligned = terms.filter((t) => {
            const [f, e] = [new Date(`${t.from}T00:00:00Z`), new Date(`${t.to}T00:00:00Z`)];
            const aligned =
              t.level === "day" || (f.getUTCDate() === 1 && e.getUTCDate() === 1 && (t.level === "month" || (f.getUTCMonth() === 0 && e.getUTCMonth() === 0)));
            return !(f < e) || !aligned;
          });
          expect(misaligned).toEqual([]);
          for (const t of terms) for (let d = dayNumber(t.from); d < dayNumber(t.to); d++) count.set(d, (count.get(d) ?? 0) + t.sign);
          for (let d = from; d < to; d++) count.set(d, (count.get(d) ?? 0) - 1);
          // every day of the range counted once, every other day not at all
          expect([...count].filter(([, c]) => c !== 0).map(([d, c]) => [isoDay(d), c])).toEqual([]);
          expect(terms.length).toBeLessThanOrEqual(7);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("reads the last 12 months as a year and a month, give or take a few days", () => {
    expect(rollupTerms("2025-12-03", "2026-12-04", "2026-12-03")).toEqual([
      { level: "day", from: "2025-12-01", to: "2025-12-03", sign: -1 },
      { level: "month", from: "2025-12-01", to: "2026-01-01", sign: 1 },
      { level: "year", from: "2026-01-01", to: "2027-01-01", sign: 1 },
      { level: "day", from: "2026-12-04", to: "2027-01-01", sign: -1 }, // after today: no rows
    ]);
    // a range in the past: its own periods only
    expect(rollupTerms("2025-03-01", "2025-05-01", "2026-12-03")).toEqual([{ level: "month", from: "2025-03-01", to: "2025-05-01", sign: 1 }]);
    expect(rollupTerms("2025-03-10", "2025-03-12", "2026-12-03")).toEqual([{ level: "day", from: "2025-03-10", to: "2025-03-12", sign: 1 }]);
  });
});

describe("top accounts from the per-account rollups", () => {
  const accounts: string[] = [];
  beforeAll(async () => {
    const { sql } = ctx.deps.database;
    for (let i = 0; i < 5; i++) accounts.push(await openAccount(sql, { name: `Top ${i}`, currency: CURRENCY, overdraftLimit: 100_000_000 }));
    const [a, b, c, d, e] = accounts as [string, string, string, string, string];
    // period edges: a leap day, month and year ends (the last instant of a UTC day and the first of the next)
    const fixed: [string, LedgerEntry["type"], number, string][] = [
      [a, "topup", 10_000, "2024-01-15T10:00:00Z"],
      [a, "usage", -1_200, "2024-02-29T23:59:59.999Z"],
      [b, "usage", -900, "2024-03-01T00:00:00Z"],
      [b, "capture", -450, "2024-03-31T12:00:00Z"],
      [c, "topup", 25_000, "2024-06-30T23:59:59Z"],
      [c, "usage", -3_000, "2024-07-01T00:00:01Z"],
      [d, "topup", 10_000, "2024-12-31T23:59:59.999Z"],
      [e, "topup", 10_000, "2025-01-01T00:00:00Z"],
      [a, "usage", -700, "2024-12-31T23:00:00Z"],
      [b, "usage", -700, "2025-01-01T01:00:00Z"],
      [c, "promotion", 5_000, "2025-01-17T09:00:00Z"], // not a metric: never counted
      [d, "capture", -2_500, "2025-01-17T09:00:00Z"],
      [e, "usage", -2_500, "2025-05-31T23:59:59Z"],
      [a, "refund", -1_000, "2025-06-01T00:00:00Z"],
      [b, "topup", 30_000, "2025-06-01T00:00:00Z"],
    ];
    for (const [account, type, amount, at] of fixed) await entryAt(account, type, amount, at);
    // and recent days, up to now (the ranges below also end after today)
    const now = Date.now();
    for (const [i, daysAgo] of [0, 1, 2, 15, 29, 30, 31, 45, 200, 364, 365, 366, 400].entries()) {
      const at = new Date(now - daysAgo * DAY_MS - (i % 3) * 3_600_000).toISOString();
      const account = accounts[i % accounts.length]!;
      await entryAt(account, "usage", -(100 + 37 * i), at);
      await entryAt(accounts[(i + 2) % accounts.length]!, i % 4 === 0 ? "topup" : "capture", i % 4 === 0 ? 5_000 + i : -(60 + i), at);
    }
    await entryAt(e, "usage", 0, new Date(now - 3 * DAY_MS).toISOString(), true); // priced usage of less than a minor unit
    // every account also posts today through the real verbs' path: a batch
    const res = await asOperatorBatch(accounts.map((acc, i) => ({ id: `top-setup-${i}`, accountId: acc, amount: 10 + i })));
    expect(res.status).toBe(200);
  });

  it("equals a plain SUM over ledger_entries for ranges starting and ending mid-month, across months and years", async () => {
    const edges = [
      "2024-01-01", "2024-01-15", "2024-02-29", "2024-03-01", "2024-03-31", "2024-07-01", "2024-12-31", "2025-01-01",
      "2025-01-17", "2025-06-01", daysFromToday(-366), daysFromToday(-365), daysFromToday(-45), daysFromToday(-31),
      daysFromToday(-30), daysFromToday(-15), daysFromToday(-2), daysFromToday(0), daysFromToday(1), daysFromToday(40),
    ].sort();
    let compared = 0;
    for (const from of edges) {
      for (const to of edges) {
        const days = dayNumber(to) - dayNumber(from);
        if (days <= 0 || days > 3 * 366) continue;
        for (const metric of ["usage", "topups"] as const) {
          const got = await topAccounts(ctx.deps.database.sql, { metric, from, to, currency: CURRENCY, limit: 100 });
          const want = await ledgerTop(metric, from, to, CURRENCY, 100);
          expect(got.map((t) => ({ accountId: t.accountId, amount: t.amount, entries: t.entries })), `${metric} ${from}..${to}`).toEqual(want);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(250);
  });

  it("answers the same through the route, names and limit included; a zero-amount priced usage is counted", async () => {
    const from = daysFromToday(-10);
    const to = daysFromToday(1);
    const res = await asOperator(ctx, "GET", `analytics/top-accounts?metric=usage&from=${from}&to=${to}&currency=${CURRENCY}&limit=3`);
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { accountId: string; name: string; currency: string; amount: number; entries: number }[] };
    const want = await ledgerTop("usage", from, to, CURRENCY, 3);
    expect(data.map((t) => ({ accountId: t.accountId, amount: t.amount, entries: t.entries }))).toEqual(want);
    expect(data.every((t) => t.currency === CURRENCY && /^Top \d$/.test(t.name))).toBe(true);
    const e = accounts[4]!;
    const all = await topAccounts(ctx.deps.database.sql, { metric: "usage", from: daysFromToday(-3), to: daysFromToday(-2), currency: CURRENCY, limit: 100 });
    expect(all.find((t) => t.accountId === e)).toEqual(expect.objectContaining({ amount: 0, entries: 1 }));
  });

  it("the rollups equal the ledger summed per account and period", async () => {
    const { rollups, ledger } = await rollupsAndLedger(accounts);
    expect(rollups.length).toBeGreaterThan(40);
    expect(rollups).toEqual(ledger);
  });
});

describe("rollups kept by the statement-level trigger", () => {
  it("equal the ledger after a multi-account batch", async () => {
    const { sql } = ctx.deps.database;
    const accounts: string[] = [];
    for (let i = 0; i < 8; i++) accounts.push(await openAccount(sql, { name: `Batch ${i}`, currency: CURRENCY, overdraftLimit: 1_000_000 }));
    const events = Array.from({ length: 1_000 }, (_, i) => ({ id: `multi-${i}`, accountId: accounts[(i * 5) % 8]!, amount: 1 + (i % 13) }));
    const res = await asOperatorBatch(events);
    expect(res.status, await res.clone().text()).toBe(200);
    const { results } = (await res.json()) as { results: { status: string }[] };
    expect(results.every((r) => r.status === "applied")).toBe(true);
    const { rollups, ledger } = await rollupsAndLedger(accounts);
    expect(rollups).toHaveLength(8 * 3); // one day, month and year row per account
    expect(rollups).toEqual(ledger);
    const [sums] = await sql<{ usage: number; entries: number }[]>`
      SELECT sum(usage)::bigint AS usage, sum(usage_entries)::bigint AS entries FROM account_daily_totals WHERE account_id = ANY(${accounts})`;
    expect(sums).toEqual({ usage: -events.reduce((s, e) => s + e.amount, 0), entries: 1_000 });
    expect(await rollupViolations()).toEqual([]);
  });

  it("concurrent batches touching every daily-totals shard in opposite orders all commit (no deadlock) and stay equal to the ledger", async () => {
    const { sql } = ctx.deps.database;
    // two accounts in each of the 32 shards (hashtext(account_id) & 31): batch A posts 30 events to
    // each shard's first account in ascending shard order, batch B to each second one in descending
    // order. The former per-row trigger took the shard rows' locks in that order and deadlocked
    // nearly every round; the statement-level one upserts them sorted.
    const byShard = new Map<number, string[]>();
    for (let i = 0; i < 2_000 && [...byShard.values()].filter((ids) => ids.length >= 2).length < 32; i++) {
      const id = await openAccount(sql, { name: `Shard ${i}`, currency: CURRENCY, overdraftLimit: 1_000_000 });
      const [row] = await sql<{ shard: number }[]>`SELECT hashtext(${id}) & 31 AS shard`;
      byShard.set(row!.shard, [...(byShard.get(row!.shard) ?? []), id]);
    }
    const shards = [...byShard.keys()].sort((x, y) => x - y);
    expect(shards).toHaveLength(32);
    const setA = shards.map((s) => byShard.get(s)![0]!);
    const setB = shards.map((s) => byShard.get(s)![1]!).reverse();
    const batchOf = (tag: string, accounts: string[]) =>
      accounts.flatMap((accountId, a) => Array.from({ length: 30 }, (_, i) => ({ id: `${tag}-${a}-${i}`, accountId, amount: 1 + (i % 7) })));
    for (let round = 0; round < 4; round++) {
      const responses = await Promise.all([
        asOperatorBatch(batchOf(`cross-a-${round}`, setA)),
        asOperatorBatch(batchOf(`cross-b-${round}`, setB)),
        asOperatorBatch(batchOf(`cross-c-${round}`, [...setA].reverse().slice(0, 8))), // A's accounts: waits for A's account locks
      ]);
      for (const res of responses) {
        expect(res.status, await res.clone().text()).toBe(200);
        const { results } = (await res.json()) as { results: { status: string }[] };
        expect(results.every((r) => r.status === "applied")).toBe(true);
      }
    }
    const all = [...setA, ...setB];
    const { rollups, ledger } = await rollupsAndLedger(all);
    expect(rollups).toEqual(ledger);
    const [total] = await sql<{ entries: number }[]>`
      SELECT sum(usage_entries)::int AS entries FROM account_yearly_totals WHERE account_id = ANY(${all})`;
    expect(total!.entries).toBe(4 * (32 * 30 * 2 + 8 * 30));
    expect(await rollupViolations()).toEqual([]);
  });

  it("verify reports a per-account rollup that drifts from the ledger, or a missing one", async () => {
    const { sql } = ctx.deps.database;
    const account = await openAccount(sql, { name: "Drift", currency: CURRENCY, overdraftLimit: 1_000 });
    expect((await asOperatorBatch([{ id: "drift-1", accountId: account, amount: 40 }])).status).toBe(200);
    // inside a transaction that is rolled back: other test files verifying meanwhile never see the drift
    const rollback = new Error("rollback");
    for (const level of ["month", "year", "day"] as const) {
      await expect(
        sql.begin(async (tx) => {
          if (level === "month") await tx`UPDATE account_monthly_totals SET usage = usage - 1 WHERE account_id = ${account}`;
          if (level === "year") await tx`UPDATE account_yearly_totals SET usage_entries = usage_entries + 1 WHERE account_id = ${account}`;
          if (level === "day") await tx`DELETE FROM account_daily_totals WHERE account_id = ${account}`;
          const violations = await rollupViolations(tx);
          expect(violations.map((v) => v.invariant)).toEqual([expect.stringContaining(`per-account ${level} rollups`)]);
          expect(JSON.stringify(violations[0]!.examples)).toContain(account);
          throw rollback;
        }),
      ).rejects.toBe(rollback);
    }
    expect(await rollupViolations()).toEqual([]);
  });
});
