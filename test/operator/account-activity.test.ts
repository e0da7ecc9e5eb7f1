import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { readSse } from "../sse/sse-reader";

const OPERATOR_KEY = "op_test_key_activity_0123456789abcdefghijklmno";
const operator = { authorization: `Bearer ${OPERATOR_KEY}` };
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

type EntryPage = { data: { amount: number }[]; nextCursor: string | null };

const debit = (apiKey: string, amount: number) =>
  ctx.request("POST", "/api/v1/usage", { apiKey, body: { amount, description: `debit ${amount}` } });

describe("GET /api/v1/operator/accounts/{id}/transactions", () => {
  it("lists any customer's entries newest first with a cursor, like the customer's own list", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    for (const amount of [10, 20, 30]) expect((await debit(c.apiKey, amount)).status).toBe(201);
    const first = await ctx.request("GET", `/api/v1/operator/accounts/${c.accountId}/transactions?limit=2`, { headers: operator });
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as EntryPage;
    expect(page1.data.map((e: { amount: number }) => e.amount)).toEqual([-30, -20]);
    const second = await ctx.request(
      "GET",
      `/api/v1/operator/accounts/${c.accountId}/transactions?limit=2&cursor=${page1.nextCursor}`,
      { headers: operator },
    );
    const page2 = (await second.json()) as EntryPage;
    expect(page2.data.map((e: { amount: number }) => e.amount)).toEqual([-10, 1_000]);
    expect(page2.nextCursor).toBeNull();
  });

  it("answers 401 without the operator's credentials (a customer's own session included) and 404 for unknown or system accounts", async () => {
    const c = await newCustomer(ctx);
    expect((await ctx.request("GET", `/api/v1/operator/accounts/${c.accountId}/transactions`, { cookie: c.cookie })).status).toBe(401);
    expect((await ctx.request("GET", `/api/v1/operator/accounts/acc_missing/transactions`, { headers: operator })).status).toBe(404);
    const [system] = await ctx.deps.database.sql`SELECT id FROM accounts WHERE kind <> 'customer' LIMIT 1`;
    expect((await ctx.request("GET", `/api/v1/operator/accounts/${system!.id}/transactions`, { headers: operator })).status).toBe(404);
  });
});

describe("GET /api/v1/operator/accounts/{id}/events", () => {
  it("streams the account's snapshot, then each committed debit, to the operator", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 500);
    const res = await ctx.request("GET", `/api/v1/operator/accounts/${c.accountId}/events`, { headers: operator });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const sse = readSse(res);
    const snapshot = await sse.next();
    expect(snapshot.event).toBe("snapshot");
    expect(JSON.parse(snapshot.data)).toMatchObject({ accountId: c.accountId, balance: 500 });
    expect((await debit(c.apiKey, 120)).status).toBe(201);
    const event = await sse.next();
    expect(event.event).toBe("balance");
    expect(JSON.parse(event.data)).toMatchObject({ balance: 380, entry: { amount: -120 } });
    await sse.close();
  });

  it("answers 401 to a customer session and 404 for an unknown account", async () => {
    const c = await newCustomer(ctx);
    expect((await ctx.request("GET", `/api/v1/operator/accounts/${c.accountId}/events`, { cookie: c.cookie })).status).toBe(401);
    expect((await ctx.request("GET", `/api/v1/operator/accounts/acc_missing/events`, { headers: operator })).status).toBe(404);
  });
});
