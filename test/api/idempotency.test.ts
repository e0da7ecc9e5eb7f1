import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const entriesOf = async (accountId: string) => {
  const [row] = await ctx.deps.database.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM ledger_entries WHERE account_id = ${accountId} AND type = 'usage'`;
  return row!.n;
};

describe("Idempotency-Key on POST /usage", () => {
  it("replays the first response with Idempotent-Replayed and posts no second entry", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const send = () =>
      ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, headers: { "Idempotency-Key": "call-1" }, body: { amount: 250 } });
    const first = await send();
    expect(first.status).toBe(201);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const second = await send();
    expect(second.status).toBe(201);
    expect(second.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await second.json()).toEqual(await first.json());
    expect(await entriesOf(c.accountId)).toBe(1);
  });

  it("same key with a different body gets 409 idempotency_key_reused and changes nothing", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const headers = { "Idempotency-Key": "call-2" };
    expect((await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, headers, body: { amount: 100 } })).status).toBe(201);
    const reused = await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, headers, body: { amount: 200 } });
    expect(reused.status).toBe(409);
    expect(((await reused.json()) as { error: { code: string } }).error.code).toBe("idempotency_key_reused");
    expect(await entriesOf(c.accountId)).toBe(1);
  });

  it("50 concurrent requests with one key make one entry; the rest replay or get 409 in_use", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 100_000);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, headers: { "Idempotency-Key": "burst" }, body: { amount: 10 } }),
      ),
    );
    const codes = await Promise.all(
      responses.map(async (r) => (r.status === 409 ? ((await r.json()) as { error: { code: string } }).error.code : r.status)),
    );
    expect(codes.every((x) => x === 201 || x === "idempotency_key_in_use")).toBe(true);
    expect(codes.filter((x) => x === 201).length).toBeGreaterThanOrEqual(1);
    expect(await entriesOf(c.accountId)).toBe(1);
    const [acc] = await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${c.accountId}`;
    expect(acc!.balance).toBe(100_000 - 10);
  });

  it("a 402 is stored and replayed for the same key; keys are per account", async () => {
    const a = await newCustomer(ctx);
    const b = await newCustomer(ctx);
    await fund(ctx, b.accountId, 1_000);
    const headers = { "Idempotency-Key": "shared-key" };
    const poor = await ctx.request("POST", "/api/v1/usage", { apiKey: a.apiKey, headers, body: { amount: 500 } });
    expect(poor.status).toBe(402);
    await fund(ctx, a.accountId, 1_000);
    const replay = await ctx.request("POST", "/api/v1/usage", { apiKey: a.apiKey, headers, body: { amount: 500 } });
    expect(replay.status).toBe(402);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    const other = await ctx.request("POST", "/api/v1/usage", { apiKey: b.apiKey, headers, body: { amount: 500 } });
    expect(other.status).toBe(201);
  });

  it("a request rejected by validation releases its key", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const headers = { "Idempotency-Key": "fix-and-retry" };
    expect((await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, headers, body: { amount: -5 } })).status).toBe(400);
    expect((await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, headers, body: { amount: 5 } })).status).toBe(201);
  });
});
