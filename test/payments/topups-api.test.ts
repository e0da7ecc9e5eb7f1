import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, newCustomer, type Customer, type TestContext } from "../harness";
import { createTopup, expectError, getTopup, submitCheckout, type TopupDto } from "./helpers";

let ctx: TestContext;
let owner: Customer;
let stranger: Customer;
beforeAll(async () => {
  ctx = await createTestContext();
  owner = await newCustomer(ctx);
  stranger = await newCustomer(ctx);
});
afterAll(() => ctx.close());

const topupCount = async (accountId: string) => {
  const [row] = await ctx.deps.database.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM topups WHERE account_id = ${accountId}`;
  return row!.n;
};

describe("POST /topups input validation: 4xx with the error shape and no top-up row", () => {
  const cases: { name: string; body: unknown; status: number; code: string }[] = [
    { name: "malformed JSON", body: '{"amount": 100', status: 400, code: "invalid_json" },
    { name: "string amount", body: { amount: "1000" }, status: 400, code: "validation_error" },
    { name: "negative amount", body: { amount: -500 }, status: 400, code: "validation_error" },
    { name: "zero", body: { amount: 0 }, status: 400, code: "validation_error" },
    { name: "fractional amount", body: { amount: 10.5 }, status: 400, code: "validation_error" },
    { name: "below the minimum (100)", body: { amount: 99 }, status: 400, code: "validation_error" },
    { name: "above the maximum (10^8)", body: { amount: 100_000_001 }, status: 400, code: "validation_error" },
    { name: "huge amount", body: '{"amount": 1e300}', status: 400, code: "validation_error" },
    { name: "missing amount", body: {}, status: 400, code: "validation_error" },
    { name: "unknown field", body: { amount: 1_000, extra: 1 }, status: 400, code: "validation_error" },
    { name: "unknown currency", body: { amount: 1_000, currency: "XYZ" }, status: 400, code: "validation_error" },
    { name: "malformed currency", body: { amount: 1_000, currency: "euro" }, status: 400, code: "validation_error" },
    { name: "another currency than the account's", body: { amount: 1_000, currency: "USD" }, status: 422, code: "currency_mismatch" },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const before = await topupCount(owner.accountId);
      await expectError(await ctx.request("POST", "/api/v1/topups", { cookie: owner.cookie, body: c.body }), c.status, c.code);
      expect(await topupCount(owner.accountId)).toBe(before);
    });
  }

  it("the account's own currency, in any case, is accepted", async () => {
    const res = await ctx.request("POST", "/api/v1/topups", { cookie: owner.cookie, body: { amount: 100, currency: "eur" } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as TopupDto).currency).toBe("EUR");
  });

  it("the bounds themselves (100 and 10^8) are accepted", async () => {
    await createTopup(ctx, owner, 100);
    await createTopup(ctx, owner, 100_000_000);
  });
});

describe("Idempotency-Key on POST /topups", () => {
  it("a replay returns the same top-up and creates no second one", async () => {
    const customer = await newCustomer(ctx);
    const send = (amount: number) =>
      ctx.request("POST", "/api/v1/topups", { cookie: customer.cookie, headers: { "Idempotency-Key": "topup-1" }, body: { amount } });
    const first = await send(2_000);
    expect(first.status).toBe(201);
    const second = await send(2_000);
    expect(second.status).toBe(201);
    expect(second.headers.get("Idempotent-Replayed")).toBe("true");
    const a = (await first.json()) as TopupDto;
    expect(await second.json()).toEqual(a);
    expect(await topupCount(customer.accountId)).toBe(1);

    await expectError(await send(3_000), 409, "idempotency_key_reused");
    expect(await topupCount(customer.accountId)).toBe(1);
  });
});

describe("authorization", () => {
  it("another tenant's GET /topups/:id is 404, like an unknown id", async () => {
    const topup = await createTopup(ctx, owner, 1_000);
    await expectError(await getTopup(ctx, stranger, topup.id), 404, "not_found");
    await expectError(await getTopup(ctx, owner, "tu_unknown"), 404, "not_found");
    expect((await getTopup(ctx, owner, topup.id)).status).toBe(200);
  });

  it("another tenant cannot settle my top-up through their GET", async () => {
    const topup = await createTopup(ctx, owner, 1_000);
    await submitCheckout(ctx, topup.checkoutUrl, { card: "4000000000000002" });
    expect((await getTopup(ctx, stranger, topup.id)).status).toBe(404);
  });

  it("no credential is 401; a viewer cannot start a top-up (403) but can read one", async () => {
    await expectError(await ctx.request("POST", "/api/v1/topups", { body: { amount: 1_000 } }), 401, "unauthenticated");
    const member = await newCustomer(ctx);
    const earlier = await createTopup(ctx, member, 1_000);
    await ctx.deps.database.sql`UPDATE account_members SET role = 'viewer' WHERE account_id = ${member.accountId}`;
    await expectError(await ctx.request("POST", "/api/v1/topups", { cookie: member.cookie, body: { amount: 1_000 } }), 403, "forbidden");
    expect(await topupCount(member.accountId)).toBe(1);
    expect((await getTopup(ctx, member, earlier.id)).status).toBe(200);
  });

  it("API keys need the topups:write scope", async () => {
    await expectError(
      await ctx.request("POST", "/api/v1/topups", { apiKey: owner.apiKey, body: { amount: 1_000 } }),
      403,
      "insufficient_scope",
    );
    const keyRes = await ctx.request("POST", "/api/v1/api-keys", { cookie: owner.cookie, body: { name: "billing", scopes: ["topups:write"] } });
    const { secret } = (await keyRes.json()) as { secret: string };
    const res = await ctx.request("POST", "/api/v1/topups", { apiKey: secret, body: { amount: 1_000 } });
    expect(res.status).toBe(201);
    const topup = (await res.json()) as TopupDto;
    expect((await ctx.request("GET", `/api/v1/topups/${topup.id}`, { apiKey: secret })).status).toBe(200);
  });

  it("the OpenAPI document lists the top-up and webhook routes", async () => {
    const doc = (await (await ctx.request("GET", "/api/v1/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/topups", "/topups/{id}", "/webhooks/stripe"]));
  });
});
