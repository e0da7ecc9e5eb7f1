import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

// Two API instances on one database and one Redis, as behind a load balancer, each with
// the default 300 s API key cache: a change made through one reaches the other's cache at once.
let a: TestContext;
let b: TestContext;
beforeAll(async () => {
  a = await createTestContext({ REDIS_URL });
  b = await createTestContext({ REDIS_URL });
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

/** Polls `check` for up to 2 s (a Redis round trip), returning its last value. */
async function eventually<T>(check: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 2_000;
  let value = await check();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    value = await check();
  }
  return value;
}

describe("API key changes reach every instance's cache", () => {
  it("a key revoked on instance A stops working on instance B at once, although B had cached it", async () => {
    const customer = await newCustomer(a);
    const balance = () => b.request("GET", "/api/v1/balance", { apiKey: customer.apiKey });
    expect((await balance()).status).toBe(200); // now in B's cache for 300 s

    const keys = (await (await a.request("GET", "/api/v1/api-keys", { cookie: customer.cookie })).json()) as { data: { id: string }[] };
    expect((await a.request("DELETE", `/api/v1/api-keys/${keys.data[0]!.id}`, { cookie: customer.cookie })).status).toBe(204);
    expect((await a.request("GET", "/api/v1/balance", { apiKey: customer.apiKey })).status).toBe(401);

    const status = await eventually(async () => (await balance()).status, (s) => s === 401);
    expect(status).toBe(401);
  });

  it("a spend limit set on instance A applies to the key's usage on instance B at once", async () => {
    const customer = await newCustomer(a);
    await fund(a, customer.accountId, 10_000);
    const debit = (amount: number) => b.request("POST", "/api/v1/usage", { apiKey: customer.apiKey, body: { amount } });
    expect((await debit(100)).status).toBe(201); // cached on B as a key without limits

    const keys = (await (await a.request("GET", "/api/v1/api-keys", { cookie: customer.cookie })).json()) as { data: { id: string }[] };
    const set = await a.request("PUT", `/api/v1/api-keys/${keys.data[0]!.id}/spend-limits`, {
      cookie: customer.cookie,
      body: { daily: 300, monthly: null },
    });
    expect(set.status).toBe(200);

    // the broadcast travels through Redis: give it 200 ms (it takes about 1 ms here). Then the
    // key counts from its first limit: exactly 3 debits of 100 pass and B refuses the 4th with
    // the key's limit (were B unaware, every debit would pass for the next 300 s)
    await new Promise((r) => setTimeout(r, 200));
    expect([(await debit(100)).status, (await debit(100)).status, (await debit(100)).status]).toEqual([201, 201, 201]);
    const refused = await debit(100);
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error: unknown }).error).toMatchObject({ code: "spend_limit_exceeded", details: { scope: "api_key" } });
  });
});

describe("an instance that lost its Redis subscription", () => {
  it("forgets every cached key when the subscription is back (broadcasts of the gap are lost)", async () => {
    const { createClient } = await import("redis");
    const { createRedisBus } = await import("../../server/events/redis");
    const admin = createClient({ url: REDIS_URL });
    await admin.connect();
    const subscribers = async () => new Set((await admin.sendCommand<string>(["CLIENT", "LIST", "TYPE", "pubsub"])).split("\n").map((l) => /id=(\d+)/.exec(l)?.[1]).filter(Boolean));
    const before = await subscribers();
    const bus = await createRedisBus(REDIS_URL, a.deps.logger);
    const heard: (string | null)[] = [];
    await bus.onApiKeyChanged((id) => heard.push(id));
    const ours = [...(await subscribers())].filter((id) => !before.has(id));
    try {
      expect(ours).toHaveLength(1);
      bus.apiKeyChanged("key_1");
      await eventually(async () => heard.length, (n) => n === 1);
      await admin.sendCommand(["CLIENT", "KILL", "ID", ours[0]!]);
      await eventually(async () => heard.length, (n) => n === 2);
      expect(heard).toEqual(["key_1", null]);
    } finally {
      await bus.close();
      await admin.quit();
    }
  });
});
