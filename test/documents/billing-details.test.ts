import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, newCustomer, type TestContext } from "../harness";

/** GET|PUT /billing-details: owner/admin session, ISO 3166-1 country codes, VAT ID format per country. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const valid = {
  legalName: "Müller & Söhne GmbH",
  addressLine1: "Hauptstraße 5",
  postalCode: "10115",
  city: "Berlin",
  country: "de",
  vatId: "de 136 695 976",
  billingEmail: "buchhaltung@example.test",
};

describe("billing details", () => {
  it("are null until saved, then saved normalized and read back", async () => {
    const c = await newCustomer(ctx);
    const none = await ctx.request("GET", "/api/v1/billing-details", { cookie: c.cookie });
    expect(none.status).toBe(200);
    expect(await none.json()).toBeNull();
    const put = await ctx.request("PUT", "/api/v1/billing-details", { cookie: c.cookie, body: valid });
    expect(put.status, await put.clone().text()).toBe(200);
    const expected = { ...valid, country: "DE", vatId: "DE136695976", addressLine2: null };
    expect(await put.json()).toEqual(expected);
    expect(await (await ctx.request("GET", "/api/v1/billing-details", { cookie: c.cookie })).json()).toEqual(expected);
  });

  it.each([
    [{ country: "XX" }, "country"],
    [{ country: "DEU" }, "country"],
    [{ vatId: "DE136695978" }, "vatId"], // wrong check digit
    [{ vatId: "ATU13585627" }, "vatId"], // a valid Austrian ID for a German buyer
    [{ country: "US", vatId: "12" }, "vatId"],
    [{ legalName: "" }, "legalName"],
    [{ billingEmail: "not-an-email" }, "billingEmail"],
  ])("refuse %j with a validation error on %s and change nothing", async (change, field) => {
    const c = await newCustomer(ctx);
    const res = await ctx.request("PUT", "/api/v1/billing-details", {
      cookie: c.cookie,
      body: { ...valid, ...change },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { field: string }[] } };
    expect(body.error.code).toBe("validation_error");
    expect(body.error.details.map((i) => i.field)).toContain(field);
    expect(await (await ctx.request("GET", "/api/v1/billing-details", { cookie: c.cookie })).json()).toBeNull();
  });

  it("accept other countries' tax ids by a generic format", async () => {
    const c = await newCustomer(ctx);
    const res = await ctx.request("PUT", "/api/v1/billing-details", {
      cookie: c.cookie,
      body: { ...valid, country: "US", vatId: "12-3456789" },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { vatId: string }).vatId).toBe("123456789");
  });

  it("need a portal session (an API key is not enough)", async () => {
    const c = await newCustomer(ctx);
    expect((await ctx.request("GET", "/api/v1/billing-details", { apiKey: c.apiKey })).status).toBe(401);
  });
});
