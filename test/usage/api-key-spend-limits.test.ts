import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../db/ledger/verify";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { newPricedMeter, OPERATOR_KEY } from "./helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

interface ApiKeyDto {
  id: string;
  secret: string;
  spendLimits: { daily: number | null; monthly: number | null; spentToday: number; spentThisMonth: number };
}
type Customer = Awaited<ReturnType<typeof newCustomer>>;

/** A second API key of the customer's account (usage:write, balance:read). */
async function newKey(customer: Customer, name = "worker"): Promise<ApiKeyDto> {
  const res = await ctx.request("POST", "/api/v1/api-keys", { cookie: customer.cookie, body: { name } });
  expect(res.status).toBe(201);
  return (await res.json()) as ApiKeyDto;
}

const setKeyLimits = (customer: Customer, keyId: string, body: unknown) =>
  ctx.request("PUT", `/api/v1/api-keys/${keyId}/spend-limits`, { cookie: customer.cookie, body });

async function keyLimits(customer: Customer, keyId: string): Promise<ApiKeyDto["spendLimits"]> {
  const res = await ctx.request("GET", "/api/v1/api-keys", { cookie: customer.cookie });
  const { data } = (await res.json()) as { data: (ApiKeyDto & { id: string })[] };
  return data.find((k) => k.id === keyId)!.spendLimits;
}

const debit = (apiKey: string, body: unknown, headers?: Record<string, string>) =>
  ctx.request("POST", "/api/v1/usage", { apiKey, body, headers });

async function balanceOf(accountId: string): Promise<number> {
  const [acc] = await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${accountId}`;
  return acc!.balance;
}

describe("per-API-key spend limits", () => {
  it("refuse the limited key's usage beyond its daily limit (402, scope api_key) while other keys go on; audited", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 10_000);
    const leaky = await newKey(customer, "leaky");
    expect(leaky.spendLimits).toEqual({ daily: null, monthly: null, spentToday: 0, spentThisMonth: 0 });

    // usage before the limit is not counted: the key counts from when it gets a limit
    expect((await debit(leaky.secret, { amount: 700 })).status).toBe(201);
    const set = await setKeyLimits(customer, leaky.id, { daily: 500, monthly: null });
    expect(set.status).toBe(200);
    expect(((await set.json()) as ApiKeyDto).spendLimits).toEqual({ daily: 500, monthly: null, spentToday: 0, spentThisMonth: 0 });

    expect((await debit(leaky.secret, { amount: 400 })).status).toBe(201);
    const refused = await debit(leaky.secret, { amount: 101 });
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error: { code: string; details: unknown } }).error).toMatchObject({
      code: "spend_limit_exceeded",
      details: { scope: "api_key", period: "daily", limit: 500, spent: 400, requested: 101, currency: "EUR" },
    });
    const meter = await newPricedMeter(ctx, "50");
    expect((await debit(leaky.secret, { meter, quantity: "3" })).status).toBe(402); // 150 > 100 left
    expect((await debit(leaky.secret, { meter, quantity: "2" })).status).toBe(201); // exactly to the limit
    expect((await debit(leaky.secret, { amount: 1 })).status).toBe(402);

    // the account's first key has no limit of its own: unaffected
    expect((await debit(customer.apiKey, { amount: 1_000 })).status).toBe(201);
    expect(await balanceOf(customer.accountId)).toBe(10_000 - 700 - 400 - 100 - 1_000);
    expect(await keyLimits(customer, leaky.id)).toEqual({ daily: 500, monthly: null, spentToday: 500, spentThisMonth: 500 });

    const audit = await ctx.deps.database.sql<{ action: string; actor: string; before: ApiKeyDto | null; after: ApiKeyDto }[]>`
      SELECT action, actor, before, after FROM audit_log WHERE target_id = ${leaky.id} ORDER BY at, id`;
    expect(audit.map((a) => a.action)).toEqual(["api_key.created", "api_key.spend_limits_updated"]);
    expect(audit[1]!.actor).toMatch(/^user:usr_/);
    expect(audit[1]!.before!.spendLimits.daily).toBeNull();
    expect(audit[1]!.after.spendLimits.daily).toBe(500);
    expect(JSON.stringify(audit)).not.toContain(leaky.secret);
  });

  it("is exact under concurrency: 60 debits of 100 on a key limited to 1000 a day -> exactly 10, the other key's 30 all pass", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 100_000);
    const limited = await newKey(customer);
    await setKeyLimits(customer, limited.id, { daily: 1000, monthly: 5000 });
    const meter = await newPricedMeter(ctx, "100");
    const responses = await Promise.all([
      ...Array.from({ length: 60 }, (_, i) => debit(limited.secret, i % 2 ? { amount: 100 } : { meter, quantity: "1" })),
      ...Array.from({ length: 30 }, () => debit(customer.apiKey, { amount: 100 })),
    ]);
    const limitedStatuses = responses.slice(0, 60).map((r) => r.status);
    expect(limitedStatuses.filter((s) => s === 201)).toHaveLength(10);
    expect(limitedStatuses.filter((s) => s === 402)).toHaveLength(50);
    expect(responses.slice(60).every((r) => r.status === 201)).toBe(true);
    expect(await balanceOf(customer.accountId)).toBe(100_000 - 1_000 - 3_000);
    expect(await keyLimits(customer, limited.id)).toMatchObject({ spentToday: 1000, spentThisMonth: 1000 });
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("counts each event once: an Idempotency-Key replay and a replayed batch add nothing; batch events beyond it are refused alone", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 10_000);
    const key = await newKey(customer);
    await setKeyLimits(customer, key.id, { daily: null, monthly: 1000 });

    const first = await debit(key.secret, { amount: 100 }, { "Idempotency-Key": "once-1" });
    const again = await debit(key.secret, { amount: 100 }, { "Idempotency-Key": "once-1" });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect((await keyLimits(customer, key.id)).spentThisMonth).toBe(100);

    const batch = { events: [1, 2, 3, 4].map((i) => ({ id: `ev${i}`, amount: 300 })) };
    const post = async () => {
      const res = await ctx.request("POST", "/api/v1/usage/batch", { apiKey: key.secret, body: batch });
      expect(res.status).toBe(200);
      return ((await res.json()) as { results: { status: string }[] }).results.map((r) => r.status);
    };
    expect(await post()).toEqual(["applied", "applied", "applied", "spend_limit_exceeded"]);
    expect(await post()).toEqual(["replayed", "replayed", "replayed", "spend_limit_exceeded"]);
    expect(await keyLimits(customer, key.id)).toMatchObject({ spentThisMonth: 1000 });
    expect(await balanceOf(customer.accountId)).toBe(10_000 - 100 - 900);
  });

  it("the monthly limit counts across days; a removed limit lets the key spend again", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 10_000);
    const key = await newKey(customer);
    await setKeyLimits(customer, key.id, { daily: 200, monthly: 300 });
    // 250 used earlier this month, on another day (today's counter starts over)
    await ctx.deps.database.sql`
      UPDATE api_keys SET spent_month = 250, spent_month_start = date_trunc('month', now() AT TIME ZONE 'UTC')::date,
                          spent_day = 200, spent_day_start = (now() AT TIME ZONE 'UTC')::date - 1
       WHERE id = ${key.id}`;
    const refused = await debit(key.secret, { amount: 51 });
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error: { details: { period: string } } }).error.details.period).toBe("monthly");
    expect((await debit(key.secret, { amount: 50 })).status).toBe(201);
    expect(await keyLimits(customer, key.id)).toMatchObject({ spentToday: 50, spentThisMonth: 300 });

    expect((await setKeyLimits(customer, key.id, { daily: null, monthly: null })).status).toBe(200);
    expect((await debit(key.secret, { amount: 500 })).status).toBe(201);
  });

  it("bad limits are 400, other tenants' and revoked keys 404, an API key may not set them; nothing changes", async () => {
    const customer = await newCustomer(ctx);
    const other = await newCustomer(ctx);
    const key = await newKey(customer);
    for (const body of [{ daily: -1, monthly: null }, { daily: 1.5, monthly: null }, { daily: 100 }, { daily: "5", monthly: null },
      { daily: 1e20, monthly: null }, { daily: null, monthly: null, x: 1 }]) {
      expect((await setKeyLimits(customer, key.id, body)).status, JSON.stringify(body)).toBe(400);
    }
    const malformed = await ctx.request("PUT", `/api/v1/api-keys/${key.id}/spend-limits`, {
      cookie: customer.cookie,
      body: "{\"daily\": 5,",
    });
    expect(malformed.status).toBe(400);
    expect((await setKeyLimits(other, key.id, { daily: 5, monthly: null })).status).toBe(404);
    expect((await setKeyLimits(customer, "key_unknown", { daily: 5, monthly: null })).status).toBe(404);
    expect(
      (await ctx.request("PUT", `/api/v1/api-keys/${key.id}/spend-limits`, { apiKey: key.secret, body: { daily: 5, monthly: null } })).status,
    ).toBe(401);
    expect((await ctx.request("DELETE", `/api/v1/api-keys/${key.id}`, { cookie: customer.cookie })).status).toBe(204);
    expect((await setKeyLimits(customer, key.id, { daily: 5, monthly: null })).status).toBe(404);
    expect(await keyLimits(customer, key.id)).toEqual({ daily: null, monthly: null, spentToday: 0, spentThisMonth: 0 });
    const audit = await ctx.deps.database.sql<{ action: string }[]>`
      SELECT action FROM audit_log WHERE target_id = ${key.id} ORDER BY at, id`;
    expect(audit.map((a) => a.action)).toEqual(["api_key.created", "api_key.revoked"]);
  });
});
