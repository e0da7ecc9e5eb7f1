import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, newCustomer, type TestContext } from "../harness";
import { createTopup, moneyOf, submitCheckout, type TopupDto } from "./helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const cancel = (cookie: string, id: string) => ctx.request("POST", `/api/v1/topups/${id}/cancel`, { cookie });

describe("POST /topups/:id/cancel (the checkout's cancel link)", () => {
  it("expires the checkout session and the top-up; the checkout can no longer be paid; repeating is safe", async () => {
    const customer = await newCustomer(ctx);
    const topup = await createTopup(ctx, customer, 2_500);
    const res = await cancel(customer.cookie, topup.id);
    expect(res.status).toBe(200);
    expect(((await res.json()) as TopupDto).status).toBe("expired");

    const pay = await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242" });
    expect(await pay.text()).toContain("expired");
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 0, topupEntries: 0 });

    const again = await cancel(customer.cookie, topup.id);
    expect(((await again.json()) as TopupDto).status).toBe("expired");
  });

  it("a top-up paid before the cancel stays succeeded", async () => {
    const customer = await newCustomer(ctx);
    const topup = await createTopup(ctx, customer, 1_000);
    await submitCheckout(ctx, topup.checkoutUrl, { card: "4242424242424242" });
    const res = await cancel(customer.cookie, topup.id);
    expect(((await res.json()) as TopupDto).status).toBe("succeeded");
    expect(await moneyOf(ctx, customer.accountId)).toEqual({ balance: 1_000, topupEntries: 1 });
  });

  it("another account's top-up is 404 and stays pending", async () => {
    const owner = await newCustomer(ctx);
    const stranger = await newCustomer(ctx);
    const topup = await createTopup(ctx, owner, 1_000);
    const res = await cancel(stranger.cookie, topup.id);
    expect(res.status).toBe(404);
    const [row] = await ctx.deps.database.sql<{ status: string }[]>`SELECT status FROM topups WHERE id = ${topup.id}`;
    expect(row!.status).toBe("pending");
  });
});

describe("GET /topups (the latest top-ups; kind=auto is the auto top-up history)", () => {
  it("lists the account's own top-ups newest first, filtered by kind and limited", async () => {
    const owner = await newCustomer(ctx);
    const stranger = await newCustomer(ctx);
    const first = await createTopup(ctx, owner, 1_000);
    const second = await createTopup(ctx, owner, 2_000);
    await createTopup(ctx, stranger, 3_000);

    const all = await ctx.request("GET", "/api/v1/topups", { cookie: owner.cookie });
    expect(all.status).toBe(200);
    expect(((await all.json()) as { data: TopupDto[] }).data.map((t) => t.id)).toEqual([second.id, first.id]);
    const one = await ctx.request("GET", "/api/v1/topups?limit=1", { cookie: owner.cookie });
    expect(((await one.json()) as { data: TopupDto[] }).data.map((t) => t.id)).toEqual([second.id]);
    const auto = await ctx.request("GET", "/api/v1/topups?kind=auto", { cookie: owner.cookie });
    expect(((await auto.json()) as { data: TopupDto[] }).data).toEqual([]);
  });

  it("bad filters are 400 with per-field details", async () => {
    const owner = await newCustomer(ctx);
    for (const query of ["kind=nope", "limit=0", "limit=51", "limit=abc"]) {
      const res = await ctx.request("GET", `/api/v1/topups?${query}`, { cookie: owner.cookie });
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { error: { details: { field: string }[] } };
      expect(body.error.details[0]!.field, query).toBe(query.split("=")[0]);
    }
  });
});
