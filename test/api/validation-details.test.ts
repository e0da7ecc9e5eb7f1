import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, newCustomer, type Customer, type TestContext } from "../harness";

let ctx: TestContext;
let owner: Customer;

beforeAll(async () => {
  ctx = await createTestContext();
  owner = await newCustomer(ctx);
});
afterAll(() => ctx.close());

type Details = { error: { code: string; message: string; details: Record<string, unknown>[] } };

async function detailsOf(res: Response) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as Details;
  expect(body.error.code).toBe("validation_error");
  return body.error.details;
}

describe("validation_error carries machine-readable per-field details", () => {
  it("a top-up below the minimum names the field and the bound in minor units", async () => {
    const res = await ctx.request("POST", "/api/v1/topups", {
      cookie: owner.cookie,
      body: { amount: 50 },
      headers: { "idempotency-key": `k_${Date.now()}` },
    });
    expect(await detailsOf(res)).toEqual([
      { field: "amount", code: "too_small", minimum: 100, origin: "number", message: expect.any(String) },
    ]);
  });

  it("every problem of a body at once: a too long name and an unknown scope", async () => {
    const res = await ctx.request("POST", "/api/v1/api-keys", {
      cookie: owner.cookie,
      body: { name: "x".repeat(101), scopes: ["nope"] },
    });
    const details = await detailsOf(res);
    expect(details).toContainEqual({ field: "name", code: "too_big", maximum: 100, origin: "string", message: expect.any(String) });
    expect(details).toContainEqual(expect.objectContaining({ field: "scopes.0", code: "invalid_value", values: expect.arrayContaining(["usage:write"]) }));
  });

  it("a rule checked in a verb has the same shape: a target balance not above the threshold", async () => {
    const res = await ctx.request("PUT", "/api/v1/auto-topup", {
      cookie: owner.cookie,
      body: { enabled: true, threshold: 1000, targetBalance: 1000 },
    });
    expect(await detailsOf(res)).toEqual([
      { field: "targetBalance", code: "too_small", minimum: 1001, origin: "number", message: expect.any(String) },
    ]);
  });
});
