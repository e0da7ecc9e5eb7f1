import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// the harness first: it loads @hono/zod-openapi, which must extend zod before db/money.ts builds its schemas
import { createTestContext, type TestContext } from "../harness";
import { suspendAccount } from "../../db/ledger/account-status";
import { setBalanceAlerts } from "../../db/ledger/balance-alerts";
import { createHold } from "../../db/ledger/create-hold";
import { credit } from "../../db/ledger/credit";
import { debit } from "../../db/ledger/debit";
import { LedgerError } from "../../db/ledger/errors";
import { openAccount } from "../../db/ledger/open-account";
import { setOverdraftLimit } from "../../db/ledger/overdraft";
import { postUsageBatch, type UsageEvent, type UsageOutcome } from "../../db/ledger/post-usage-batch";
import { pricedDebit } from "../../db/ledger/priced-debit";
import { setSpendLimits } from "../../db/ledger/spend-limits";
import { verifyLedger } from "../../db/ledger/verify";
import { newPricedMeter, OPERATOR_KEY } from "./helpers";

/**
 * The set-based batch (db/ledger/post-usage-batch.ts) computes outcomes in TypeScript from
 * the locked state: these tests hold it to the one-event-at-a-time rules of postEntry and
 * postPricedDebit, and to at-most-once under concurrent, overlapping batches.
 */

let ctx: TestContext;
let meters: { key: string; price: string }[];
const PRICES = ["0.5", "0.333333333333", "2.000000000001", "0"];
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
  meters = [];
  for (const price of PRICES) meters.push({ key: await newPricedMeter(ctx, price), price });
});
afterAll(() => ctx.close());

const sql = () => ctx.deps.database.sql;
const by = { actor: "test" };

interface Setup {
  funds: number;
  hold: number;
  overdraft: number;
  daily: number | null;
  thresholds: number[];
  suspended: boolean;
}

async function account(setup: Setup, currency = "EUR"): Promise<string> {
  const accountId = await openAccount(sql(), { name: "batch", currency });
  if (setup.funds > 0) await credit(ctx.deps.ledger, { accountId, amount: setup.funds, type: "adjustment", contra: "adjustments" });
  if (setup.overdraft > 0) await setOverdraftLimit(ctx.deps.ledger, accountId, setup.overdraft, by);
  const hold = Math.min(setup.hold, setup.funds + setup.overdraft);
  if (hold > 0) await createHold(ctx.deps.ledger, { accountId, amount: hold, expiresAt: new Date(Date.now() + 3_600_000) });
  if (setup.daily !== null) await setSpendLimits(sql(), accountId, { daily: setup.daily, monthly: null }, by);
  if (setup.thresholds.length > 0) await setBalanceAlerts(sql(), accountId, setup.thresholds, by);
  if (setup.suspended) await suspendAccount(ctx.deps.ledger, accountId, "operator");
  return accountId;
}

/** What an account ends up as: everything a usage posting may change. */
async function state(accountId: string) {
  const [acc] = await sql()<{ balance: number; sequence: number; spent_day: number; spent_month: number }[]>`
    SELECT balance, sequence, spent_day, spent_month FROM accounts WHERE id = ${accountId}`;
  const remainders = await sql()<{ meter_key: string; remainder: string }[]>`
    SELECT meter_key, trim_scale(remainder)::text AS remainder FROM usage_remainders WHERE account_id = ${accountId} ORDER BY meter_key`;
  const alerts = await sql()<{ threshold: number; armed: boolean }[]>`
    SELECT threshold, armed FROM balance_alerts WHERE account_id = ${accountId} ORDER BY threshold`;
  const [jobs] = await sql()<{ n: number }[]>`
    SELECT count(*)::int AS n FROM graphile_worker._private_jobs
     WHERE task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = 'balance_low') AND payload->>'accountId' = ${accountId}`;
  const entries = await sql()<{ amount: number; balance_after: number; sequence: number; meter: string | null; quantity: string | null }[]>`
    SELECT amount, balance_after, sequence, meter, quantity::text FROM ledger_entries
     WHERE account_id = ${accountId} AND type = 'usage' ORDER BY sequence`;
  return {
    ...acc!,
    remainders,
    alerts,
    balanceLowJobs: jobs!.n,
    entries: entries.map((e) => ({ ...e, meter: e.meter && meters.findIndex((m) => m.key === e.meter) })),
  };
}

const summary = (o: UsageOutcome) => (o.status === "rejected" ? o.error.code : o.status);

/** The events posted one at a time through debit / pricedDebit (a repeated id answers what its first became). */
async function oneByOne(accountId: string, events: UsageEvent[]): Promise<string[]> {
  const first = new Map<string, string>();
  const out: string[] = [];
  for (const e of events) {
    const earlier = first.get(e.id!);
    if (earlier !== undefined) {
      out.push(earlier === "applied" ? "replayed" : earlier);
      continue;
    }
    const input = { accountId, idempotencyKey: e.id, description: e.description };
    let status: string;
    try {
      const posted = e.amount !== undefined
        ? await debit(ctx.deps.ledger, { ...input, amount: e.amount })
        : await pricedDebit(ctx.deps.ledger, { ...input, meter: e.meter!, quantity: e.quantity! });
      status = posted.replayed ? "replayed" : "applied";
    } catch (err) {
      if (!(err instanceof LedgerError)) throw err;
      status = err.code;
    }
    first.set(e.id!, status);
    out.push(status);
  }
  return out;
}

const setupArb = fc.record({
  funds: fc.integer({ min: 0, max: 2_000 }),
  hold: fc.integer({ min: 0, max: 300 }),
  overdraft: fc.constantFrom(0, 0, 150),
  daily: fc.option(fc.integer({ min: 0, max: 1_500 }), { nil: null }),
  thresholds: fc.uniqueArray(fc.integer({ min: 1, max: 2_000 }), { maxLength: 3 }),
  suspended: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
});
const eventArb = fc.oneof(
  fc.record({ id: fc.integer({ min: 0, max: 25 }), amount: fc.integer({ min: 1, max: 400 }) }),
  fc.record({
    id: fc.integer({ min: 0, max: 25 }),
    meter: fc.nat({ max: PRICES.length - 1 }),
    quantity: fc.constantFrom("1", "3", "0.5", "7.25", "100", "0.000000000001", "999"),
  }),
);

describe("set-based batch posting (db/ledger/post-usage-batch.ts)", () => {
  it("gives the same outcomes and end state as posting the events one by one", async () => {
    await fc.assert(
      fc.asyncProperty(setupArb, fc.array(eventArb, { minLength: 1, maxLength: 30 }), async (setup, raw) => {
        // a repeated id is the same event sent again (same content)
        const byId = new Map<number, (typeof raw)[number]>();
        const events = raw.map((r) => byId.get(r.id) ?? (byId.set(r.id, r), r));
        const seqAccount = await account(setup);
        const batchAccount = await account(setup);
        const toEvent = (accountId: string, e: (typeof raw)[number]): UsageEvent =>
          "amount" in e
            ? { id: `e${e.id}`, accountId, amount: e.amount }
            : { id: `e${e.id}`, accountId, meter: meters[e.meter]!.key, quantity: e.quantity };
        const expected = await oneByOne(seqAccount, events.map((e) => toEvent(seqAccount, e)));
        const outcomes = await postUsageBatch(ctx.deps.ledger, events.map((e) => toEvent(batchAccount, e)));
        expect(outcomes.map(summary)).toEqual(expected);
        expect(await state(batchAccount)).toEqual(await state(seqAccount));
      }),
      { numRuns: 40 },
    );
    expect(await verifyLedger(sql())).toEqual([]);
  }, 300_000);

  it("answers mixed outcomes across accounts in one transaction; the refused ones change nothing", async () => {
    const base = { funds: 0, hold: 0, overdraft: 0, daily: null, thresholds: [], suspended: false };
    const rich = await account({ ...base, funds: 1_000, hold: 600 }); // available 400
    const overdrawn = await account({ ...base, overdraft: 50 });
    const suspended = await account({ ...base, funds: 1_000, suspended: true });
    const limited = await account({ ...base, funds: 1_000, daily: 100 });
    const dollars = await account({ ...base, funds: 1_000 }, "USD");
    const outcomes = await postUsageBatch(ctx.deps.ledger, [
      { id: "1", accountId: rich, amount: 300 },
      { id: "2", accountId: rich, amount: 300 }, // only 100 left beside the hold
      { id: "3", accountId: overdrawn, amount: 50 }, // into the overdraft
      { id: "4", accountId: overdrawn, amount: 1 },
      { id: "5", accountId: suspended, amount: 1 },
      { id: "6", accountId: limited, amount: 60 },
      { id: "7", accountId: limited, amount: 60 },
      { id: "8", accountId: dollars, meter: meters[0]!.key, quantity: "2" }, // priced in EUR only
      { id: "9", accountId: "acc_does_not_exist", amount: 1 },
      { id: "10", accountId: rich, meter: meters[0]!.key, quantity: "3" }, // 1.5 -> 1, 0.5 carried
    ]);
    expect(outcomes.map(summary)).toEqual([
      "applied", "insufficient_funds", "applied", "insufficient_funds", "account_suspended",
      "applied", "spend_limit_exceeded", "no_price", "not_found", "applied",
    ]);
    const rejected = outcomes[1]!;
    expect(rejected.status === "rejected" && rejected.error.message).toContain("100");
    expect((await state(rich)).balance).toBe(1_000 - 301);
    expect((await state(overdrawn)).balance).toBe(-50);
    expect((await state(suspended)).sequence).toBe(1); // the funding only
    expect((await state(limited)).spent_day).toBe(60);
    expect((await state(rich)).remainders).toEqual([{ meter_key: meters[0]!.key, remainder: "0.5" }]);
    expect(await verifyLedger(sql())).toEqual([]);
  });

  it("posts the same account many times in one batch: consecutive sequences, an alert fires once", async () => {
    const accountId = await account({ funds: 600, hold: 0, overdraft: 0, daily: null, thresholds: [300], suspended: false });
    const events = Array.from({ length: 1_000 }, (_, i) => ({ id: `m${i}`, accountId, amount: 1 }));
    const outcomes = await postUsageBatch(ctx.deps.ledger, events);
    expect(outcomes.filter((o) => o.status === "applied")).toHaveLength(600);
    expect(outcomes.slice(600).every((o) => summary(o) === "insufficient_funds")).toBe(true);
    const s = await state(accountId);
    expect(s.balance).toBe(0);
    expect(s.entries.map((e) => e.sequence)).toEqual(Array.from({ length: 600 }, (_, i) => i + 2));
    expect(s.entries.map((e) => e.balance_after)).toEqual(Array.from({ length: 600 }, (_, i) => 599 - i));
    expect(s.alerts).toEqual([{ threshold: 300, armed: false }]);
    expect(s.balanceLowJobs).toBe(1);
    const [job] = await sql()<{ payload: { available: number } }[]>`
      SELECT payload FROM graphile_worker._private_jobs
       WHERE task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = 'balance_low') AND payload->>'accountId' = ${accountId}`;
    expect(job!.payload.available).toBe(299); // the posting that crossed
  });

  it("applies each event once under concurrent overlapping batches and single debits; money is conserved", async () => {
    const funds = 5_000;
    const ids = await Promise.all(
      Array.from({ length: 12 }, () => account({ funds, hold: 0, overdraft: 0, daily: null, thresholds: [2_500], suspended: false })),
    );
    // six batches over overlapping accounts in different orders, with ids shared between batches
    const batches = Array.from({ length: 6 }, (_, b) =>
      Array.from({ length: 200 }, (_, i): UsageEvent => {
        const accountId = ids[(i * (b + 1) + b) % ids.length]!;
        const id = `o${(i + b * 50) % 400}`;
        return i % 3 === 0 ? { id, accountId, meter: meters[1]!.key, quantity: "7" } : { id, accountId, amount: (i % 7) + 1 };
      }),
    );
    const singles = ids.flatMap((accountId, a) =>
      Array.from({ length: 5 }, (_, i) => debit(ctx.deps.ledger, { accountId, amount: 3, idempotencyKey: `s${a}-${i}` })),
    );
    const results = await Promise.all([...batches.map((events) => postUsageBatch(ctx.deps.ledger, events)), ...singles]);
    // an (account, id) pair is applied by exactly one batch, however often it was sent
    const applied = new Map<string, number>();
    results.slice(0, batches.length).forEach((outcomes, b) =>
      (outcomes as UsageOutcome[]).forEach((o, i) => {
        const e = batches[b]![i]!;
        const key = `${e.accountId}/${e.id}`;
        applied.set(key, (applied.get(key) ?? 0) + (o.status === "applied" ? 1 : 0));
        expect(["applied", "replayed"]).toContain(o.status);
      }),
    );
    expect([...applied.values()].every((n) => n === 1)).toBe(true);
    const [totals] = await sql()<{ balances: number; debited: number; entries: number }[]>`
      SELECT (SELECT sum(balance)::bigint FROM accounts WHERE id = ANY(${ids}::text[])) AS balances,
             (SELECT -sum(amount)::bigint FROM ledger_entries WHERE account_id = ANY(${ids}::text[]) AND type = 'usage') AS debited,
             (SELECT count(*)::int FROM ledger_entries WHERE account_id = ANY(${ids}::text[]) AND type = 'usage') AS entries`;
    expect(totals!.balances + totals!.debited).toBe(funds * ids.length);
    expect(totals!.entries).toBe(applied.size + singles.length);
    for (const accountId of ids) expect((await state(accountId)).balanceLowJobs).toBeLessThanOrEqual(1);
    expect(await verifyLedger(sql())).toEqual([]);
  }, 60_000);

  it("replays a batch from the stored entries, even after the account was suspended, and changes nothing", async () => {
    const accountId = await account({ funds: 1_000, hold: 0, overdraft: 0, daily: null, thresholds: [], suspended: false });
    const events: UsageEvent[] = [
      { id: "r1", accountId, amount: 10, description: "first" },
      { id: "r2", accountId, meter: meters[0]!.key, quantity: "5" },
      { id: "r3", accountId, amount: 5_000 },
    ];
    const first = await postUsageBatch(ctx.deps.ledger, events);
    expect(first.map(summary)).toEqual(["applied", "applied", "insufficient_funds"]);
    await suspendAccount(ctx.deps.ledger, accountId, "operator");
    const before = await state(accountId);
    const again = await postUsageBatch(ctx.deps.ledger, events);
    expect(again.map(summary)).toEqual(["replayed", "replayed", "account_suspended"]);
    for (const i of [0, 1]) {
      const [a, b] = [first[i]!, again[i]!];
      if (a.status === "rejected" || b.status === "rejected") throw new Error("expected entries");
      expect(b.posted.entry).toEqual(a.posted.entry);
      expect(b.posted.replayed).toBe(true);
    }
    expect(await state(accountId)).toEqual(before);
  });
});
