import type { Runner } from "graphile-worker";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SEND_PUSH_TASK } from "../../db/notifications/enqueue";
import { BALANCE_LOW_TASK } from "../../db/notifications/balance-low";
import { createTestContext, fund, newCustomer, startTaskWorker, type TestContext } from "../harness";
import { startReceiver } from "../webhooks/receiver";
import { browserSubscription, decrypt } from "./push-browser";

/**
 * A low-balance alert reaches a subscribed browser by Web Push, end to end: a debit
 * through the API crosses the threshold, the balance_low job turns it into notifications,
 * and the send_push job delivers it to the local push service (which decrypts it as the
 * browser would). Turning push off for balance.low (notification preferences) stops it.
 */
/** The accounts this file made (its worker runs only their balance_low jobs). */
const mine = new Set<string>();
let ctx: TestContext;
const workers: Runner[] = [];
let pushService: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  ctx = await createTestContext();
  // balance_low only for this file's accounts: other files count their balance_low jobs
  const owns = (payload: unknown) => mine.has((payload as { accountId: string }).accountId);
  workers.push(await startTaskWorker(ctx, BALANCE_LOW_TASK, { owns }), await startTaskWorker(ctx, SEND_PUSH_TASK));
  pushService = await startReceiver();
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  await ctx?.close();
  await pushService?.close();
});

it("a debit crossing a balance alert pushes 'Low balance' to the subscribed browser, once; not when push is off for it", async () => {
  const c = await newCustomer(ctx);
  mine.add(c.accountId);
  const browser = browserSubscription(new URL(pushService.url).origin);
  expect((await ctx.request("POST", "/api/v1/push-subscriptions", { cookie: c.cookie, body: browser.json })).status).toBe(201);
  expect((await ctx.request("PUT", "/api/v1/balance-alerts", { cookie: c.cookie, body: { thresholds: [500] } })).status).toBe(200);
  await fund(ctx, c.accountId, 1_000);
  const debit = (amount: number) => ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount } });
  const ours = () => pushService.received.filter((r) => browser.json.endpoint.endsWith(r.path));

  expect((await debit(580)).status).toBe(201); // 420 left: crosses 500
  expect((await debit(20)).status).toBe(201); // 400: same crossing, no second alert
  await expect.poll(() => ours().length, { timeout: 10_000 }).toBe(1);
  expect(decrypt(ours()[0]!.raw, browser.ecdh, browser.auth)).toMatchObject({
    title: "Low balance: €4.20 left",
    tag: "balance.low",
    url: "http://localhost:3000/",
  });

  // re-armed by a top-up, then push turned off for balance.low: the next crossing pushes nothing
  await fund(ctx, c.accountId, 600); // 1 000: re-arms 500
  const off = await ctx.request("PUT", "/api/v1/notification-preferences", {
    cookie: c.cookie,
    body: { preferences: [{ eventType: "balance.low", push: false }] },
  });
  expect(off.status).toBe(200);
  expect((await debit(700)).status).toBe(201); // 300: crosses 500 again
  const fired = async () =>
    (await ctx.deps.database.sql`
      SELECT 1 FROM graphile_worker._private_jobs j
       WHERE j.task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = ${BALANCE_LOW_TASK})
         AND j.payload->>'accountId' = ${c.accountId}`).length;
  await expect.poll(fired, { timeout: 10_000 }).toBe(0); // the balance_low job ran (and completed)
  await new Promise((resolve) => setTimeout(resolve, 700));
  expect(ours()).toHaveLength(1);
});
