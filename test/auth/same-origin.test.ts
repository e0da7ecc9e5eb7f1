import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, fund, newCustomer, type Customer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";

// The harness' PUBLIC_URL is http://localhost:3000.
let ctx: TestContext;
let customer: Customer;
beforeAll(async () => {
  ctx = await createTestContext();
  customer = await newCustomer(ctx);
});
afterAll(() => ctx.close());

const createKey = (headers: Record<string, string>) =>
  ctx.request("POST", "/api/v1/api-keys", { cookie: customer.cookie, body: { name: "csrf" }, headers });
const keyCount = async () =>
  (await ctx.deps.database.sql`SELECT count(*)::int AS n FROM api_keys WHERE account_id = ${customer.accountId}`)[0]!.n as number;

describe("state-changing requests on the session cookie come from our origin", () => {
  it("refuses another Origin (403 forbidden_origin) and changes nothing", async () => {
    const before = await keyCount();
    await expectError(await createKey({ origin: "http://evil.example" }), 403, "forbidden_origin");
    await expectError(await createKey({ origin: "null" }), 403, "forbidden_origin");
    await expectError(await createKey({ origin: "http://localhost:3000.evil.example" }), 403, "forbidden_origin");
    await expectError(
      await ctx.request("POST", "/api/v1/auth/logout", { cookie: customer.cookie, headers: { origin: "http://evil.example" } }),
      403,
      "forbidden_origin",
    );
    expect(await keyCount()).toBe(before);
  });

  it("without Origin, refuses a cross-site or same-site Sec-Fetch-Site", async () => {
    await expectError(await createKey({ "sec-fetch-site": "cross-site" }), 403, "forbidden_origin");
    await expectError(await createKey({ "sec-fetch-site": "same-site" }), 403, "forbidden_origin");
  });

  it("accepts our own origin, same-origin fetch metadata, and clients that send neither", async () => {
    expect((await createKey({ origin: "http://localhost:3000" })).status).toBe(201);
    expect((await createKey({ "sec-fetch-site": "same-origin" })).status).toBe(201);
    expect((await createKey({})).status).toBe(201);
  });

  it("reads with the cookie and API-key calls are not affected by Origin", async () => {
    const evil = { origin: "http://evil.example", "sec-fetch-site": "cross-site" };
    expect((await ctx.request("GET", "/api/v1/balance", { cookie: customer.cookie, headers: evil })).status).toBe(200);
    await fund(ctx, customer.accountId, 1_000);
    const debit = await ctx.request("POST", "/api/v1/usage", { apiKey: customer.apiKey, body: { amount: 100 }, headers: evil });
    expect(debit.status).toBe(201);
  });
});
