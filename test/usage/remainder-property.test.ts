import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// the harness first: it loads @hono/zod-openapi, which must extend zod before db/money.ts builds its schemas
import { createTestContext, type TestContext } from "../harness";
import { credit } from "../../db/ledger/credit";
import { openAccount } from "../../db/ledger/open-account";
import { pricedDebit } from "../../db/ledger/priced-debit";
import { newPricedMeter, OPERATOR_KEY } from "./helpers";

/**
 * The rounding rule of db/ledger/priced-debit.ts, checked against an exact model: for any
 * sequence of priced events, the total debited equals floor(sum of quantity x price) and
 * the carried remainder is the rest (so within one minor unit of the exact total, and
 * never more than it).
 */

const SCALE = 12;
/** Exact decimals as bigints scaled by 10^SCALE (the model; PostgreSQL numeric is the implementation). */
const toScaled = (s: string) => {
  const [int, frac = ""] = s.split(".");
  return BigInt(int!) * 10n ** BigInt(SCALE) + BigInt(frac.padEnd(SCALE, "0"));
};
const fromScaled = (n: bigint) => {
  const int = n / 10n ** BigInt(SCALE);
  const frac = (n % 10n ** BigInt(SCALE)).toString().padStart(SCALE, "0").replace(/0+$/, "");
  return frac ? `${int}.${frac}` : `${int}`;
};

const PRICES = ["0.000000000001", "0.00025", "0.333333333333", "0.999999999999", "1", "2.5", "17.123456789012", "0"];
const FUNDS = 10_000_000_000;

let ctx: TestContext;
let meters: string[];
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
  meters = [];
  for (const price of PRICES) meters.push(await newPricedMeter(ctx, price));
});
afterAll(() => ctx.close());

/** A quantity with up to 12 decimal places, 10^-12 .. 10^7. */
const quantity = fc.bigInt({ min: 1n, max: 10n ** 19n }).map(fromScaled);
const event = fc.record({ meter: fc.nat({ max: PRICES.length - 1 }), quantity });

async function fundedAccount(): Promise<string> {
  const accountId = await openAccount(ctx.deps.database.sql, { name: "prop", currency: "EUR" });
  await credit(ctx.deps.ledger, { accountId, amount: FUNDS, type: "adjustment", contra: "adjustments" });
  return accountId;
}

/** Checks what the account was debited per meter against the exact model. */
async function expectExactFloor(accountId: string, events: { meter: number; quantity: string }[]) {
  const exact = new Map<string, bigint>();
  for (const e of events) {
    const key = meters[e.meter]!;
    // price x quantity, both scaled by 10^12 -> scaled by 10^24; rescale exactly later
    exact.set(key, (exact.get(key) ?? 0n) + toScaled(PRICES[e.meter]!) * toScaled(e.quantity));
  }
  const rows = await ctx.deps.database.sql<{ meter: string; debited: string; remainder: string | null }[]>`
    SELECT e.meter, (-sum(e.amount))::text AS debited,
           (SELECT remainder::text FROM usage_remainders r WHERE r.account_id = e.account_id AND r.meter_key = e.meter) AS remainder
      FROM ledger_entries e WHERE e.account_id = ${accountId} AND e.meter IS NOT NULL GROUP BY e.account_id, e.meter`;
  expect(rows).toHaveLength(exact.size);
  const unit = 10n ** BigInt(2 * SCALE);
  for (const row of rows) {
    const total = exact.get(row.meter)!;
    expect(BigInt(row.debited)).toBe(total / unit); // floor: totals are >= 0
    const [int, frac = ""] = (row.remainder ?? "0").split(".");
    expect(BigInt(int!) * unit + BigInt(frac.padEnd(2 * SCALE, "0"))).toBe(total % unit);
  }
  const [acc] = await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${accountId}`;
  const debitedTotal = rows.reduce((s, r) => s + BigInt(r.debited), 0n);
  expect(BigInt(acc!.balance)).toBe(BigInt(FUNDS) - debitedTotal);
}

describe("priced debits carry fractions exactly (fast-check, real PostgreSQL)", () => {
  it("any sequence of events debits floor(exact total) per meter and carries the rest", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 6 }), async (events) => {
        const accountId = await fundedAccount();
        for (const e of events) await pricedDebit(ctx.deps.ledger, { accountId, meter: meters[e.meter]!, quantity: e.quantity });
        await expectExactFloor(accountId, events);
      }),
      { numRuns: 1000 },
    );
  }, 600_000);

  it("the same holds when the events of a sequence arrive concurrently", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 2, maxLength: 20 }), async (events) => {
        const accountId = await fundedAccount();
        await Promise.all(events.map((e) => pricedDebit(ctx.deps.ledger, { accountId, meter: meters[e.meter]!, quantity: e.quantity })));
        await expectExactFloor(accountId, events);
      }),
      { numRuns: 100 },
    );
  }, 600_000);
});
