import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountNotice } from "../../db/ledger/types";
import { createTestContext, fund, newCustomer, type Customer, type TestContext } from "../harness";
import { createTopup, expectError, submitCheckout } from "../payments/helpers";
import { readSse } from "../sse/sse-reader";

const OPERATOR_KEY = "op_test_key_0123456789abcdefghijklmnopqrstuvwxyz";
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

const operator = (path: string, body?: unknown, key = OPERATOR_KEY) =>
  ctx.request("POST", `/api/v1/operator/accounts/${path}`, { body, headers: { authorization: `Bearer ${key}` } });
const usage = (c: Customer, amount: number) => ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount } });

async function ledgerState(accountId: string) {
  const [row] = await ctx.deps.database.sql<{ balance: number; held: number; sequence: number; status: string }[]>`
    SELECT balance, held, sequence, status FROM accounts WHERE id = ${accountId}`;
  return row!;
}

/** Collects the account's notices from the bus. */
async function listen(accountId: string) {
  const notices: AccountNotice[] = [];
  const stop = await ctx.deps.bus.subscribe(accountId, () => {}, (n) => notices.push(n));
  return { notices, stop };
}

describe("suspension", () => {
  it("operator suspends: usage and holds get 403 and nothing changes; reactivation restores them; events go out", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    const { notices, stop } = await listen(c.accountId);
    const res = await operator(`${c.accountId}/suspend`, { reason: "operator" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accountId: c.accountId, status: "suspended", suspendedReason: "operator", changed: true });
    const before = await ledgerState(c.accountId);

    await expectError(await usage(c, 100), 403, "account_suspended");
    await expectError(await ctx.request("POST", "/api/v1/holds", { apiKey: c.apiKey, body: { amount: 100 } }), 403, "account_suspended");
    expect(await ledgerState(c.accountId)).toEqual(before);

    const again = await operator(`${c.accountId}/reactivate`);
    expect(((await again.json()) as { status: string }).status).toBe("active");
    expect((await usage(c, 100)).status).toBe(201);
    expect((await ledgerState(c.accountId)).balance).toBe(900);
    expect(notices.map((n) => [n.event, n.type])).toEqual([
      ["account", "account.suspended"],
      ["account", "account.reactivated"],
    ]);
    stop();
  });

  it("a non-payment suspension is lifted by a top-up that restores the balance", async () => {
    const c = await newCustomer(ctx);
    await ctx.deps.database.sql`UPDATE accounts SET overdraft_limit = 1000 WHERE id = ${c.accountId}`;
    expect((await usage(c, 800)).status).toBe(201); // balance -8.00
    await operator(`${c.accountId}/suspend`, { reason: "non_payment" });
    await expectError(await usage(c, 1), 403, "account_suspended");
    const { notices, stop } = await listen(c.accountId);

    const small = await createTopup(ctx, c, 500); // -3.00 after: still suspended
    await submitCheckout(ctx, small.checkoutUrl, { card: "4242424242424242" });
    expect((await ledgerState(c.accountId)).status).toBe("suspended");
    const enough = await createTopup(ctx, c, 1_000); // +7.00: reactivated
    await submitCheckout(ctx, enough.checkoutUrl, { card: "4242424242424242" });
    expect(await ledgerState(c.accountId)).toMatchObject({ status: "active", balance: 700 });
    expect((await usage(c, 100)).status).toBe(201);
    expect(notices.map((n) => n.type)).toEqual(["account.reactivated"]);
    stop();
  });

  it("the account events reach the portal's live stream (GET /events) without ids", async () => {
    const c = await newCustomer(ctx);
    const sse = readSse(await ctx.request("GET", "/api/v1/events", { cookie: c.cookie }));
    expect((await sse.next()).event).toBe("snapshot");
    await operator(`${c.accountId}/suspend`, {});
    const event = await sse.next();
    expect(event.event).toBe("account");
    expect(event.id).toBeUndefined();
    expect(JSON.parse(event.data)).toMatchObject({ type: "account.suspended", accountId: c.accountId, data: { reason: "operator" } });
    await sse.close();
  });

  it("operator routes need the operator key; customers' credentials are refused", async () => {
    const c = await newCustomer(ctx);
    await expectError(await operator(`${c.accountId}/suspend`, {}, "wrong_key_0123456789abcdefghijklmnopqrstuvwxyz"), 401, "unauthenticated");
    await expectError(await operator(`${c.accountId}/suspend`, {}, c.apiKey), 401, "unauthenticated");
    await expectError(
      await ctx.request("POST", `/api/v1/operator/accounts/${c.accountId}/suspend`, { cookie: c.cookie, body: {} }),
      401,
      "unauthenticated",
    );
    await expectError(await operator("acc_does_not_exist/suspend", {}), 404, "not_found");
    expect((await ledgerState(c.accountId)).status).toBe("active");
  });
});

describe("notices over the Redis bus", () => {
  it("an account notice published in one process reaches a subscriber in another", async () => {
    const a = await createTestContext({ REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", OPERATOR_API_KEY: OPERATOR_KEY });
    const b = await createTestContext({ REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" });
    try {
      const c = await newCustomer(a);
      const got: AccountNotice[] = [];
      const balances: number[] = [];
      const stop = await b.deps.bus.subscribe(c.accountId, (e) => balances.push(e.sequence), (n) => got.push(n));
      await a.request("POST", `/api/v1/operator/accounts/${c.accountId}/suspend`, {
        body: {},
        headers: { authorization: `Bearer ${OPERATOR_KEY}` },
      });
      await fund(a, c.accountId, 100);
      await expect.poll(() => got.map((n) => n.type)).toEqual(["account.suspended"]);
      await expect.poll(() => balances).toEqual([1]);
      stop();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
