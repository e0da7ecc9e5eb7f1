import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LedgerEntry } from "../../db/ledger/types";
import { verifyLedger } from "../../db/ledger/verify";
import { createTestContext, newCustomer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";
import { asOperator, OPERATOR_KEY } from "./helpers";

/**
 * GET /operator/analytics/* (issue 11.5): every figure reconciles with a sum over
 * ledger_entries, the rollups they read are kept by the posting's transaction, and
 * `verify` catches rollups that drift from the ledger.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

const CURRENCY = "NOK";
const DAY_MS = 86_400_000;
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);
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
 * Posts an entry `daysAgo` days back, keeping the account's invariants (balance, sequence,
 * balanceAfter): the ledger verbs stamp now(), so history is written the way they would have.
 * The rollup trigger sees it like any posting.
 */
async function entryDaysAgo(accountId: string, type: LedgerEntry["type"], amount: number, daysAgo: number) {
  await ctx.deps.database.sql.begin(async (tx) => {
    const [acc] = await tx<{ balance: number; sequence: number; currency: string }[]>`
      UPDATE accounts SET balance = balance + ${amount}, sequence = sequence + 1 WHERE id = ${accountId}
      RETURNING balance, sequence, currency`;
    await tx`
      INSERT INTO ledger_entries (id, account_id, contra_account_id, type, amount, balance_after, sequence, currency, created_at)
      VALUES (${`le_test_${accountId}_${acc!.sequence}`}, ${accountId}, ${`sys_${CONTRA[type]}_${acc!.currency}`}, ${type},
              ${amount}, ${acc!.balance}, ${acc!.sequence}, ${acc!.currency}, now() - ${daysAgo} * interval '1 day')`;
  });
}

/** The same figures, summed straight from ledger_entries per UTC day or month. */
async function ledgerRevenue(from: string, to: string, unit: "day" | "month") {
  return ctx.deps.database.sql<Record<string, number | string>[]>`
    SELECT date_trunc(${unit}, (created_at AT TIME ZONE 'UTC'))::date::text AS start, currency,
           coalesce(sum(amount) FILTER (WHERE type = 'topup'), 0)::bigint AS topups,
           coalesce(-sum(amount) FILTER (WHERE type = 'refund'), 0)::bigint AS refunds,
           coalesce(-sum(amount) FILTER (WHERE type = 'dispute'), 0)::bigint AS disputes,
           coalesce(-sum(amount) FILTER (WHERE type IN ('usage', 'capture')), 0)::bigint AS usage,
           coalesce(sum(amount) FILTER (WHERE type = 'adjustment'), 0)::bigint AS adjustments,
           coalesce(sum(amount) FILTER (WHERE type = 'promotion'), 0)::bigint AS promotions,
           coalesce(sum(amount) FILTER (WHERE type IN ('topup', 'refund', 'dispute')), 0)::bigint AS net,
           sum(amount)::bigint AS "balanceChange"
      FROM ledger_entries
     WHERE created_at >= ${from}::date::timestamp AT TIME ZONE 'UTC' AND created_at < ${to}::date::timestamp AT TIME ZONE 'UTC'
     GROUP BY 1, 2 ORDER BY 1, 2`;
}

const get = async <T>(path: string): Promise<T> => {
  const res = await asOperator(ctx, "GET", `analytics/${path}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
};
type Bucket = Record<string, number | string>;
const nonZero = (b: Bucket) => Object.entries(b).some(([k, v]) => k !== "start" && k !== "currency" && v !== 0);

describe("operator analytics", () => {
  let a: string, b: string;
  beforeAll(async () => {
    a = (await newCustomer(ctx, CURRENCY)).accountId;
    b = (await newCustomer(ctx, CURRENCY)).accountId;
    await ctx.deps.database.sql`UPDATE accounts SET overdraft_limit = 1000000 WHERE id IN (${a}, ${b})`;
    await entryDaysAgo(a, "topup", 10_000, 40);
    await entryDaysAgo(a, "usage", -1_500, 40);
    await entryDaysAgo(a, "promotion", 500, 39);
    await entryDaysAgo(b, "topup", 20_000, 10);
    await entryDaysAgo(b, "refund", -3_000, 9);
    await entryDaysAgo(b, "dispute", -2_000, 9);
    await entryDaysAgo(b, "dispute", 2_000, 2); // won
    await entryDaysAgo(b, "capture", -700, 2);
    await entryDaysAgo(a, "adjustment", -250, 1);
    // and postings through the real verbs today (the rollup trigger in their transaction)
    expect((await asOperator(ctx, "POST", `accounts/${b}/adjustments`, { body: { amount: 400, type: "adjustment", reason: "x" } })).status).toBe(201);
    expect((await asOperator(ctx, "POST", `accounts/${a}/adjustments`, { body: { amount: 300, type: "promotion", reason: "y" } })).status).toBe(201);
  });

  it("revenue by day equals the ledger summed per day, with every day of the range present", async () => {
    const from = day(45);
    const to = day(-1);
    const { data, totals } = await get<{ data: Bucket[]; totals: Bucket[] }>(`revenue?from=${from}&to=${to}&interval=day&currency=${CURRENCY}`);
    expect(data).toHaveLength(46);
    expect(data.every((x) => x.currency === CURRENCY)).toBe(true);
    expect(data.filter(nonZero)).toEqual((await ledgerRevenue(from, to, "day")).filter((r) => r.currency === CURRENCY));
    expect(totals).toEqual([
      {
        currency: CURRENCY,
        topups: 30_000,
        refunds: 3_000,
        disputes: 0,
        usage: 2_200,
        adjustments: 150,
        promotions: 800,
        net: 27_000,
        balanceChange: 30_000 - 3_000 - 2_200 + 150 + 800,
      },
    ]);
  });

  it("revenue by month, all currencies, equals the ledger summed per month", async () => {
    const from = day(400);
    const to = day(-1);
    const { data } = await get<{ data: Bucket[] }>(`revenue?from=${from}&to=${to}&interval=month`);
    // months starting before `from` are cut at `from` on both sides: compare from the first full month
    const firstFull = new Date(Date.parse(from) + 31 * DAY_MS).toISOString().slice(0, 8) + "01";
    const ledger = await ledgerRevenue(firstFull, to, "month");
    expect(data.filter((x) => String(x.start) >= firstFull && nonZero(x))).toEqual(ledger);
  });

  it("liability equals the sum of customer balances per currency; its change over the period equals the period's entries", async () => {
    const { data } = await get<{ data: { currency: string; balance: number; openingBalance: number; closingBalance: number; change: number }[] }>(
      `liability?from=${day(20)}&to=${day(-1)}`,
    );
    const balances = await ctx.deps.database.sql<{ currency: string; balance: number }[]>`
      SELECT currency, sum(balance)::bigint AS balance FROM accounts WHERE kind = 'customer' GROUP BY currency ORDER BY currency`;
    expect(data.map((l) => ({ currency: l.currency, balance: l.balance }))).toEqual(balances.filter((r) => data.some((l) => l.currency === r.currency)));
    expect(balances.every((r) => r.balance === 0 || data.some((l) => l.currency === r.currency))).toBe(true);
    const nok = data.find((l) => l.currency === CURRENCY)!;
    expect(nok).toEqual({
      currency: CURRENCY,
      balance: 35_750 - 10_000,
      openingBalance: 10_000 - 1_500 + 500,
      closingBalance: 35_750 - 10_000,
      change: 20_000 - 3_000 - 700 - 250 + 400 + 300,
    });
    const defaults = await get<{ data: { currency: string; change: number }[] }>("liability");
    expect(defaults.data.find((l) => l.currency === CURRENCY)!.change).toBe(nok.change);
  });

  it("top accounts by usage and by top-ups, per currency, largest first", async () => {
    const usage = await get<{ data: { accountId: string; amount: number; entries: number }[] }>(
      `top-accounts?metric=usage&from=${day(60)}&to=${day(-1)}&currency=${CURRENCY}`,
    );
    expect(usage.data).toEqual([
      { accountId: a, name: "Test Co", currency: CURRENCY, amount: 1_500, entries: 1 },
      { accountId: b, name: "Test Co", currency: CURRENCY, amount: 700, entries: 1 },
    ]);
    const topups = await get<{ data: { accountId: string; amount: number }[] }>(
      `top-accounts?metric=topups&from=${day(20)}&to=${day(-1)}&currency=${CURRENCY}&limit=1`,
    );
    expect(topups.data.map((t) => [t.accountId, t.amount])).toEqual([[b, 20_000]]);
  });

  it("verify finds the rollups equal to the ledger, and reports a rollup that drifts", async () => {
    const rollupViolations = async () =>
      (await verifyLedger(ctx.deps.database.sql)).filter((v) => v.invariant.includes("daily rollups"));
    expect(await rollupViolations()).toEqual([]);
    const { sql } = ctx.deps.database;
    const [row] = await sql<{ day: string; shard: number }[]>`
      SELECT day::text AS day, shard FROM ledger_daily_totals WHERE currency = ${CURRENCY} LIMIT 1`;
    await sql`UPDATE ledger_daily_totals SET topup = topup + 1 WHERE currency = ${CURRENCY} AND day = ${row!.day} AND shard = ${row!.shard}`;
    try {
      expect(await rollupViolations()).toHaveLength(1);
    } finally {
      await sql`UPDATE ledger_daily_totals SET topup = topup - 1 WHERE currency = ${CURRENCY} AND day = ${row!.day} AND shard = ${row!.shard}`;
    }
  });

  it("bad ranges and parameters are 400; no operator key is 401", async () => {
    for (const q of [
      "revenue?from=2026-01-01",
      "revenue?from=2026-02-01&to=2026-01-01",
      "revenue?from=2020-01-01&to=2026-01-01",
      "revenue?from=2026-01-01&to=2026-02-01&interval=week",
      "revenue?from=2026-01-01&to=2026-02-01&currency=EURO",
      "revenue?from=01.01.2026&to=2026-02-01",
      "liability?from=2026-02-01&to=2026-01-01",
      "top-accounts?metric=refunds&from=2026-01-01&to=2026-02-01",
      "top-accounts?metric=usage&from=2026-01-01&to=2026-02-01&limit=0",
    ]) {
      await expectError(await asOperator(ctx, "GET", `analytics/${q}`), 400, "validation_error");
    }
    await expectError(await ctx.request("GET", "/api/v1/operator/analytics/liability"), 401, "unauthenticated");
  });
});
