import type { JobHelpers } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { suspendOverdrawnAccounts } from "../../db/ledger/overdraft";
import { createLogger } from "../../server/logger";
import { createTaskList } from "../../workers/tasks";
import { collectNotices } from "../auto-topup/helpers";
import { createTestContext, fund, newCustomer, type Customer, type TestContext } from "../harness";
import { createTopup, expectError, submitCheckout } from "../payments/helpers";

const OPERATOR_KEY = "op_test_key_nonpayment_0123456789abcdefghijklm";
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

const HOUR = 3_600_000;
const setOverdraft = (accountId: string, body: unknown, key = OPERATOR_KEY) =>
  ctx.request("PUT", `/api/v1/operator/accounts/${accountId}/overdraft`, {
    body,
    headers: { authorization: `Bearer ${key}` },
  });
const usage = (c: Customer, amount: number) =>
  ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount } });
async function account(accountId: string) {
  const [row] = await ctx.deps.database.sql<
    { balance: number; overdraft_limit: number; status: string; suspended_reason: string | null }[]
  >`
    SELECT balance, overdraft_limit, status, suspended_reason FROM accounts WHERE id = ${accountId}`;
  return row!;
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("overdraft limit (operator)", () => {
  it("sets the limit; usage may then go below zero; a limit below what is used is refused", async () => {
    const c = await newCustomer(ctx);
    const res = await setOverdraft(c.accountId, { overdraftLimit: 1_000 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accountId: c.accountId, overdraftLimit: 1_000, available: 0 });
    expect((await usage(c, 800)).status).toBe(201);
    await expectError(await usage(c, 201), 402, "insufficient_funds");

    await expectError(await setOverdraft(c.accountId, { overdraftLimit: 500 }), 422, "overdraft_in_use");
    expect(await account(c.accountId)).toMatchObject({ balance: -800, overdraft_limit: 1_000 });
    expect((await setOverdraft(c.accountId, { overdraftLimit: 800 })).status).toBe(200);
    await expectError(await usage(c, 1), 402, "insufficient_funds");
  });

  it("bad input, unknown accounts and non-operators change nothing", async () => {
    const c = await newCustomer(ctx);
    for (const body of [
      "{nope",
      { overdraftLimit: -1 },
      { overdraftLimit: 1.5 },
      { overdraftLimit: "100" },
      { overdraftLimit: 1e11 },
      { overdraftLimit: 100, extra: 1 },
      {},
    ]) {
      await expectError(
        await setOverdraft(c.accountId, body),
        400,
        typeof body === "string" ? "invalid_json" : "validation_error",
      );
    }
    await expectError(await setOverdraft("acc_does_not_exist", { overdraftLimit: 100 }), 404, "not_found");
    await expectError(
      await setOverdraft(c.accountId, { overdraftLimit: 100 }, "not-the-operator-key"),
      401,
      "unauthenticated",
    );
    const asCustomer = await ctx.request("PUT", `/api/v1/operator/accounts/${c.accountId}/overdraft`, {
      cookie: c.cookie,
      body: { overdraftLimit: 100 },
    });
    await expectError(asCustomer, 401, "unauthenticated");
    expect((await account(c.accountId)).overdraft_limit).toBe(0);
  });
});

describe("the non-payment rule", () => {
  it("suspends accounts below zero since before the cut-off, counting from their latest fall below zero", async () => {
    const longOverdrawn = await newCustomer(ctx);
    const recovered = await newCustomer(ctx);
    const inCredit = await newCustomer(ctx);
    for (const c of [longOverdrawn, recovered, inCredit]) await setOverdraft(c.accountId, { overdraftLimit: 5_000 });
    await fund(ctx, inCredit.accountId, 1_000);
    expect((await usage(longOverdrawn, 700)).status).toBe(201);
    expect((await usage(recovered, 300)).status).toBe(201); // below zero ...
    await fund(ctx, recovered.accountId, 500); // ... back above ...
    await pause(20);
    const cutOff = new Date();
    await pause(20);
    expect((await usage(recovered, 400)).status).toBe(201); // ... and below again, after the cut-off
    expect((await usage(inCredit, 900)).status).toBe(201);
    const { notices, stop } = await collectNotices(ctx, longOverdrawn.accountId);

    const suspended = await suspendOverdrawnAccounts(ctx.deps.ledger, cutOff);
    expect(suspended).toContain(longOverdrawn.accountId);
    expect(suspended).not.toContain(recovered.accountId);
    expect(suspended).not.toContain(inCredit.accountId);
    expect(await account(longOverdrawn.accountId)).toMatchObject({
      status: "suspended",
      suspended_reason: "non_payment",
    });
    expect((await account(recovered.accountId)).status).toBe("active");
    await expectError(await usage(longOverdrawn, 1), 403, "account_suspended");
    await expect
      .poll(() => notices.map((n) => [n.type, n.data.reason]))
      .toEqual([["account.suspended", "non_payment"]]);
    stop();

    // A top-up that restores the balance lifts it.
    const topup = await createTopup(ctx, longOverdrawn, 1_000);
    await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242" });
    expect(await account(longOverdrawn.accountId)).toMatchObject({
      status: "active",
      balance: 300,
      suspended_reason: null,
    });
    expect((await usage(longOverdrawn, 100)).status).toBe(201);
  });

  it("the worker's sweep applies NON_PAYMENT_GRACE_HOURS (default 72) and is off at 0", async () => {
    const c = await newCustomer(ctx);
    await setOverdraft(c.accountId, { overdraftLimit: 1_000 });
    expect((await usage(c, 100)).status).toBe(201);
    const sweep = (env: TestContext["deps"]["env"], hoursLater: number) =>
      createTaskList({
        ...ctx.deps,
        env,
        logger: createLogger("silent"),
        now: () => new Date(Date.now() + hoursLater * HOUR),
      }).suspend_overdrawn!({}, {} as JobHelpers);

    expect(ctx.deps.env.NON_PAYMENT_GRACE_HOURS).toBe(72);
    await sweep(ctx.deps.env, 71);
    expect((await account(c.accountId)).status).toBe("active");
    await sweep({ ...ctx.deps.env, NON_PAYMENT_GRACE_HOURS: 0 }, 10_000);
    expect((await account(c.accountId)).status).toBe("active");
    await sweep(ctx.deps.env, 73);
    expect(await account(c.accountId)).toMatchObject({ status: "suspended", suspended_reason: "non_payment" });
  });
});
