import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../db/ledger/verify";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { newPricedMeter, OPERATOR_KEY } from "./helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

interface Result {
  id: string;
  status: string;
  entry?: { amount: number; idempotencyKey: string; meter: string | null };
  error?: { code: string };
}

const batch = async (key: string, events: unknown[]) => {
  const res = await ctx.request("POST", "/api/v1/usage/batch", { apiKey: key, body: { events } });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { results: Result[] }).results;
};

describe("POST /usage/batch", () => {
  it("answers each event's outcome in order; refused events do not stop the others", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 1_000);
    const meter = await newPricedMeter(ctx, "0.5");
    const results = await batch(customer.apiKey, [
      { id: "a", amount: 300 },
      { id: "b", meter, quantity: "3" }, // 1.5 -> 1 debited, 0.5 carried
      { id: "c", amount: 5_000 }, // insufficient
      { id: "d", meter: "no.such", quantity: "1" },
      { id: "e", amount: -5 },
      { id: "f", meter, quantity: "0" },
      { id: "a", amount: 300 }, // same id again in the batch
      { id: "g", meter, quantity: "1" }, // completes the carried half
      { id: "h", amount: 10, accountId: "acc_other" },
    ]);
    expect(results.map((r) => [r.id, r.status, r.error?.code ?? r.entry?.amount])).toEqual([
      ["a", "applied", -300],
      ["b", "applied", -1],
      ["c", "insufficient_funds", "insufficient_funds"],
      ["d", "invalid", "unknown_meter"],
      ["e", "invalid", "validation_error"],
      ["f", "invalid", "invalid_quantity"],
      ["a", "replayed", -300],
      ["g", "applied", -1],
      ["h", "invalid", "validation_error"],
    ]);
    const [acc] = await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${customer.accountId}`;
    expect(acc!.balance).toBe(1_000 - 302);

    // applied at most once, ever: a second batch with the same ids replays them
    const again = await batch(customer.apiKey, [{ id: "a", amount: 300 }, { id: "b", meter, quantity: "3" }, { id: "c", amount: 1 }]);
    expect(again.map((r) => [r.status, r.entry?.amount])).toEqual([["replayed", -300], ["replayed", -1], ["applied", -1]]);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("with the operator key posts events for many accounts, each naming its accountId", async () => {
    const a = await newCustomer(ctx);
    const b = await newCustomer(ctx);
    await fund(ctx, a.accountId, 100);
    await fund(ctx, b.accountId, 100);
    const events = Array.from({ length: 1000 }, (_, i) => ({ id: `ev-${i}`, accountId: i % 2 ? a.accountId : b.accountId, amount: 1 }));
    events.push({ id: "missing", accountId: "acc_nope", amount: 1 });
    const results = await batch(OPERATOR_KEY, events.slice(0, 1000));
    expect(results.filter((r) => r.status === "applied")).toHaveLength(200);
    expect(results.filter((r) => r.status === "insufficient_funds")).toHaveLength(800);
    const noAccount = await batch(OPERATOR_KEY, [{ id: "x", amount: 1 }, { id: "y", accountId: "acc_nope", amount: 1 }]);
    expect(noAccount.map((r) => [r.status, r.error?.code])).toEqual([["invalid", "validation_error"], ["invalid", "not_found"]]);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("applies each event at most once when the same batch is sent concurrently", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 10_000);
    const meter = await newPricedMeter(ctx, "0.1");
    const events = Array.from({ length: 50 }, (_, i) => (i % 2 ? { id: `c-${i}`, amount: 7 } : { id: `c-${i}`, meter, quantity: "15" }));
    const all = await Promise.all(Array.from({ length: 4 }, () => batch(customer.apiKey, events)));
    for (let i = 0; i < events.length; i++) {
      expect(all.map((r) => r[i]!.status).filter((s) => s === "applied"), `event ${i}`).toHaveLength(1);
    }
    const [acc] = await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${customer.accountId}`;
    expect(acc!.balance).toBe(10_000 - 25 * 7 - Math.floor(25 * 1.5));
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("refuses a malformed batch with 400 and changes nothing; needs a usage:write key or the operator key", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 100);
    const post = (body: unknown, apiKey = customer.apiKey) => ctx.request("POST", "/api/v1/usage/batch", { apiKey, body });
    expect((await post({ events: [] })).status).toBe(400);
    expect((await post({ events: [{ amount: 1 }] })).status).toBe(400);
    expect((await post({ events: Array.from({ length: 1001 }, (_, i) => ({ id: `${i}`, amount: 1 })) })).status).toBe(400);
    expect((await post({ events: [{ id: "x", amount: 1 }], extra: 1 })).status).toBe(400);
    expect((await post({ events: [{ id: "x", amount: 1 }] }, "lb_sk_wrong")).status).toBe(401);
    const [acc] = await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${customer.accountId}`;
    expect(acc!.balance).toBe(100);
  });
});
