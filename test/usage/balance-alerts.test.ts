import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { enqueueBalanceLow } from "../../db/notifications/balance-low";
import { renderEmail } from "../../server/notifications/messages";
import type { EmailJob } from "../../db/notifications/enqueue";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

/** The balance_low jobs enqueued for an account: the thresholds that fired, in order. */
const fired = async (accountId: string) =>
  (
    await ctx.deps.database.sql<{ threshold: number }[]>`
      SELECT (j.payload->>'threshold')::int AS threshold FROM graphile_worker._private_jobs j
       WHERE j.task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = 'balance_low')
         AND j.payload->>'accountId' = ${accountId} ORDER BY j.id`
  ).map((r) => r.threshold);

const debit = (apiKey: string, amount: number) => ctx.request("POST", "/api/v1/usage", { apiKey, body: { amount } });

describe("low-balance alerts", () => {
  it("fire once per crossing below a threshold and re-arm when available is back at or above it", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 1_000);
    const set = await ctx.request("PUT", "/api/v1/balance-alerts", { cookie: customer.cookie, body: { thresholds: [200, 500] } });
    expect(await set.json()).toEqual({ thresholds: [500, 200], fired: [] });

    await debit(customer.apiKey, 400); // 600: above both
    expect(await fired(customer.accountId)).toEqual([]);
    await debit(customer.apiKey, 150); // 450: crosses 500
    await debit(customer.apiKey, 50); // 400: still below, nothing more
    expect(await fired(customer.accountId)).toEqual([500]);
    await debit(customer.apiKey, 250); // 150: crosses 200
    expect(await fired(customer.accountId)).toEqual([500, 200]);
    expect(await (await ctx.request("GET", "/api/v1/balance-alerts", { apiKey: customer.apiKey })).json()).toEqual({
      thresholds: [500, 200],
      fired: [500, 200],
    });
    await fund(ctx, customer.accountId, 100); // 250: re-arms 200 only
    await debit(customer.apiKey, 100); // 150: 200 fires again
    expect(await fired(customer.accountId)).toEqual([500, 200, 200]);
  });

  it("never fire twice for one crossing under concurrency", async () => {
    const customer = await newCustomer(ctx);
    await fund(ctx, customer.accountId, 1_000);
    await ctx.request("PUT", "/api/v1/balance-alerts", { cookie: customer.cookie, body: { thresholds: [700, 450] } });
    await Promise.all(Array.from({ length: 60 }, () => debit(customer.apiKey, 10)));
    expect((await fired(customer.accountId)).sort()).toEqual([450, 700]);
  });

  it("a balance.low job sends the webhook event, and emails the owner in their language", async () => {
    const customer = await newCustomer(ctx);
    await ctx.request("POST", "/api/v1/webhook-endpoints", {
      cookie: customer.cookie,
      body: { url: "https://hooks.example.com/x", enabledEvents: ["balance.low"] },
    });
    const { sql } = ctx.deps.database;
    await sql.begin((tx) => enqueueBalanceLow(tx, { accountId: customer.accountId, threshold: 500, available: 420 }));
    const [delivery] = await sql<{ event_type: string }[]>`SELECT event_type FROM webhook_deliveries WHERE account_id = ${customer.accountId}`;
    expect(delivery?.event_type).toBe("balance.low");
    const [email] = await sql<{ payload: EmailJob }[]>`
      SELECT payload FROM graphile_worker._private_jobs
       WHERE task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = 'send_email') AND payload->>'to' = ${customer.email}`;
    expect(renderEmail(email!.payload, "http://localhost:3000").subject).toBe("Low balance: €4.20 left");
  });

  it("refuses more than 5, repeated or non-positive thresholds, and viewers' and API keys' changes", async () => {
    const customer = await newCustomer(ctx);
    for (const thresholds of [[1, 2, 3, 4, 5, 6], [5, 5], [0], [-1], [1.5]]) {
      const res = await ctx.request("PUT", "/api/v1/balance-alerts", { cookie: customer.cookie, body: { thresholds } });
      expect(res.status, JSON.stringify(thresholds)).toBe(400);
    }
    const byKey = await ctx.request("PUT", "/api/v1/balance-alerts", { apiKey: customer.apiKey, body: { thresholds: [1] } });
    expect(byKey.status).toBe(401);
    expect(await (await ctx.request("GET", "/api/v1/balance-alerts", { cookie: customer.cookie })).json()).toEqual({ thresholds: [], fired: [] });
  });
});
