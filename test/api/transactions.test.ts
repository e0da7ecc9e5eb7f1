import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestContext, fund, newCustomer, type Customer, type TestContext } from "../harness";

let ctx: TestContext;
let c: Customer;
type Page = { data: { sequence: number; type: string; amount: number; createdAt: string }[]; nextCursor: string | null };

beforeAll(async () => {
  ctx = await createTestContext();
  c = await newCustomer(ctx);
  await fund(ctx, c.accountId, 10_000); // sequence 1, type adjustment
  for (let i = 1; i <= 12; i++) {
    const res = await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount: i } });
    expect(res.status).toBe(201);
  }
});
afterAll(() => ctx.close());

const page = async (query: string) => {
  const res = await ctx.request("GET", `/api/v1/transactions?${query}`, { cookie: c.cookie });
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
};

it("pages newest first with an opaque cursor until nextCursor is null, with no gaps or repeats", async () => {
  const seen: number[] = [];
  let cursor = "";
  for (;;) {
    const p = await page(`limit=5${cursor ? `&cursor=${cursor}` : ""}`);
    seen.push(...p.data.map((e) => e.sequence));
    if (!p.nextCursor) break;
    cursor = p.nextCursor;
  }
  expect(seen).toEqual(Array.from({ length: 13 }, (_, i) => 13 - i));
});

it("filters by type and by date range", async () => {
  const usage = await page("type=usage&limit=100");
  expect(usage.data).toHaveLength(12);
  expect(usage.data.every((e) => e.type === "usage" && e.amount < 0)).toBe(true);

  const future = new Date(Date.now() + 60_000).toISOString();
  expect((await page(`from=${encodeURIComponent(future)}`)).data).toHaveLength(0);
  expect((await page(`to=${encodeURIComponent(future)}&limit=100`)).data).toHaveLength(13);
});

it("API keys with balance:read see the same entries", async () => {
  const res = await ctx.request("GET", "/api/v1/transactions?limit=3", { apiKey: c.apiKey });
  expect(res.status).toBe(200);
  expect(((await res.json()) as Page).data.map((e) => e.sequence)).toEqual([13, 12, 11]);
});
