import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_WEBHOOK_ENDPOINTS } from "../../server/routes/webhook-endpoints/index";
import { createTestContext, newCustomer, type Customer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";

const OPERATOR_KEY = "op_test_key_webhooks_0123456789abcdefghijklmnop";
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

const create = (c: Customer, body: unknown) =>
  ctx.request("POST", "/api/v1/webhook-endpoints", { cookie: c.cookie, body });
const list = async (c: Customer) =>
  (
    (await (await ctx.request("GET", "/api/v1/webhook-endpoints", { cookie: c.cookie })).json()) as {
      data: Record<string, unknown>[];
    }
  ).data;
const valid = { url: "https://example.com/hooks", enabledEvents: ["account.suspended", "account.reactivated"] };

describe("webhook endpoints API", () => {
  it("creates an endpoint whose secret is shown once, lists and deletes it", async () => {
    const c = await newCustomer(ctx);
    const res = await create(c, { ...valid, description: "Cut service" });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; secret: string; enabledEvents: string[] };
    expect(created.id).toMatch(/^we_/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.enabledEvents).toEqual(valid.enabledEvents);

    const listed = await list(c);
    expect(listed).toEqual([
      {
        id: created.id,
        url: valid.url,
        description: "Cut service",
        enabledEvents: valid.enabledEvents,
        createdAt: expect.any(String),
        disabledAt: null,
        disabledReason: null,
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);

    expect((await ctx.request("DELETE", `/api/v1/webhook-endpoints/${created.id}`, { cookie: c.cookie })).status).toBe(
      204,
    );
    expect(await list(c)).toEqual([]);
    await expectError(
      await ctx.request("DELETE", `/api/v1/webhook-endpoints/${created.id}`, { cookie: c.cookie }),
      404,
      "not_found",
    );
  });

  it("rejects bad input with 400 and creates nothing", async () => {
    const c = await newCustomer(ctx);
    const bad: unknown[] = [
      "{not json",
      { ...valid, url: "http://example.com/hooks" }, // plain http outside localhost
      { ...valid, url: "ftp://example.com/x" },
      { ...valid, url: "not a url" },
      { ...valid, url: `https://example.com/${"x".repeat(2100)}` },
      { ...valid, enabledEvents: [] },
      { ...valid, enabledEvents: ["balance.stolen"] },
      { ...valid, enabledEvents: "account.suspended" },
      { ...valid, description: 42 },
      { enabledEvents: valid.enabledEvents },
    ];
    for (const body of bad) {
      const res = await create(c, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(
        /^(validation_error|invalid_json)$/,
      );
    }
    expect(await list(c)).toEqual([]);
    expect((await create(c, { ...valid, url: "http://localhost:4000/hooks" })).status).toBe(201); // local development
  });

  it(`allows ${MAX_WEBHOOK_ENDPOINTS} endpoints per account, also when created concurrently, then 422`, async () => {
    const c = await newCustomer(ctx);
    const results = await Promise.all(Array.from({ length: MAX_WEBHOOK_ENDPOINTS + 4 }, () => create(c, valid)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(MAX_WEBHOOK_ENDPOINTS).fill(201), ...Array(4).fill(422)]);
    await expectError(await create(c, valid), 422, "limit_exceeded");
    expect(await list(c)).toHaveLength(MAX_WEBHOOK_ENDPOINTS);
  });

  it("another tenant's endpoint is 404 for every route", async () => {
    const owner = await newCustomer(ctx);
    const other = await newCustomer(ctx);
    const { id } = (await (await create(owner, valid)).json()) as { id: string };
    for (const [method, path] of [
      ["DELETE", `/api/v1/webhook-endpoints/${id}`],
      ["GET", `/api/v1/webhook-endpoints/${id}/deliveries`],
      ["POST", `/api/v1/webhook-endpoints/${id}/test`],
    ] as const) {
      await expectError(await ctx.request(method, path, { cookie: other.cookie }), 404, "not_found");
      await expectError(
        await ctx.request(method, path, { headers: { authorization: `Bearer ${OPERATOR_KEY}` } }),
        401,
        "unauthenticated",
      );
    }
    // The operator's own routes do not see account endpoints either.
    await expectError(
      await ctx.request("DELETE", `/api/v1/operator/webhook-endpoints/${id}`, {
        headers: { authorization: `Bearer ${OPERATOR_KEY}` },
      }),
      404,
      "not_found",
    );
    expect(await list(owner)).toHaveLength(1);
    expect(await list(other)).toEqual([]);
    await expectError(await ctx.request("GET", "/api/v1/webhook-endpoints"), 401, "unauthenticated");
  });

  it("operator endpoints need the operator key", async () => {
    const c = await newCustomer(ctx);
    await expectError(
      await ctx.request("GET", "/api/v1/operator/webhook-endpoints", { cookie: c.cookie }),
      401,
      "unauthenticated",
    );
    await expectError(
      await ctx.request("POST", "/api/v1/operator/webhook-endpoints", {
        headers: { authorization: "Bearer wrong" },
        body: valid,
      }),
      401,
      "unauthenticated",
    );
  });
});
