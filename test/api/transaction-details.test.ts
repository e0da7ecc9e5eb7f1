import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { debit } from "../../db/ledger/debit";
import { createTestContext, fund, newCustomer, type Customer, type TestContext } from "../harness";
import { createTopup, expectError, submitCheckout } from "../payments/helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

type Entry = { id: string; type: string; description: string | null; amount: number };
const list = async (c: Customer, query: string) => {
  const res = await ctx.request("GET", `/api/v1/transactions?${query}`, { cookie: c.cookie });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { data: Entry[] }).data;
};
const details = (c: Customer, id: string, auth: "cookie" | "key" = "cookie") =>
  ctx.request("GET", `/api/v1/transactions/${id}`, auth === "cookie" ? { cookie: c.cookie } : { apiKey: c.apiKey });

describe("transactions: text search, capture filter, details", () => {
  it("q finds text in descriptions, case-insensitively and literally (% and _ are no wildcards), also in the CSV", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 100_000);
    const post = (description: string) =>
      debit(ctx.deps.ledger, { accountId: c.accountId, amount: 100, description });
    await post("Voice call to Köln");
    await post("SMS to Berlin");
    await post("100% discount check");
    await post("voice_mail box");

    expect((await list(c, "q=voice")).map((e) => e.description)).toEqual(["voice_mail box", "Voice call to Köln"]);
    expect((await list(c, "q=K%C3%B6LN")).map((e) => e.description)).toEqual(["Voice call to Köln"]);
    expect((await list(c, "q=100%25")).map((e) => e.description)).toEqual(["100% discount check"]);
    expect((await list(c, "q=e_m")).map((e) => e.description)).toEqual(["voice_mail box"]);
    expect(await list(c, "q=%25%25")).toEqual([]); // "%%" matches only a literal "%%"
    expect((await list(c, "q=to&type=usage")).map((e) => e.description)).toEqual(["SMS to Berlin", "Voice call to Köln"]);
    expect(await list(c, "q=nowhere")).toEqual([]);
    expect(await list(c, "q=%20%20")).toHaveLength(5); // blank = no filter (4 debits + the funding)

    await expectError(
      await ctx.request("GET", `/api/v1/transactions?q=${"x".repeat(101)}`, { cookie: c.cookie }),
      400,
      "validation_error",
    );
    const csv = await ctx.request("GET", "/api/v1/transactions.csv?q=voice", { cookie: c.cookie });
    expect(csv.status).toBe(200);
    const rows = parse((await csv.text()).replace(/^\ufeff/, ""), { columns: true }) as { description: string }[];
    expect(rows.map((r) => r.description)).toEqual(["Voice call to Köln", "voice_mail box"]);
    await expectError(
      await ctx.request("GET", `/api/v1/transactions.csv?q=${"x".repeat(101)}`, { cookie: c.cookie }),
      400,
      "validation_error",
    );
  });

  it("the search uses the trigram index on descriptions", async () => {
    // With sequential scans ruled out (the test table is tiny), the planner must have an index that serves it.
    const plan = await ctx.deps.database.sql.begin(async (tx) => {
      await tx`SET LOCAL enable_seqscan = off`;
      return tx.unsafe("EXPLAIN SELECT id FROM ledger_entries WHERE description ILIKE '%voice%'");
    });
    expect(JSON.stringify(plan)).toContain("ledger_entries_description_trgm_idx");
  });

  it("a capture entry shows its hold; capture is a type filter", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 10_000);
    const { hold } = (await (
      await ctx.request("POST", "/api/v1/holds", {
        apiKey: c.apiKey,
        body: { amount: 500, description: "Call 42" },
      })
    ).json()) as { hold: { id: string } };
    const captured = await ctx.request("POST", `/api/v1/holds/${hold.id}/capture`, {
      apiKey: c.apiKey,
      body: { amount: 320 },
    });
    expect(captured.status).toBe(200);
    const captures = await list(c, "type=capture");
    expect(captures).toHaveLength(1);
    const res = await details(c, captures[0]!.id, "key");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: captures[0]!.id,
      type: "capture",
      amount: -320,
      topup: null,
      hold: { id: hold.id, amount: 500, capturedAmount: 320, description: "Call 42", createdAt: expect.any(String) },
    });
  });

  it("a top-up entry shows its kind and the saved card charged", async () => {
    const c = await newCustomer(ctx);
    const checkout = await createTopup(ctx, c, 2_000);
    expect((await submitCheckout(ctx, checkout.checkoutUrl, { card: "4242424242424242" })).status).toBe(303);
    const oneClick = await ctx.request("POST", "/api/v1/topups", {
      cookie: c.cookie,
      body: { amount: 1_500, paymentMethodId: "default" },
    });
    expect(oneClick.status).toBe(201);
    const [second, first] = await list(c, "type=topup");
    expect(await (await details(c, first!.id)).json()).toMatchObject({
      type: "topup",
      amount: 2_000,
      topup: { id: checkout.id, kind: "checkout", status: "succeeded", amount: 2_000, card: null },
      hold: null,
    });
    expect(await (await details(c, second!.id)).json()).toMatchObject({
      amount: 1_500,
      topup: { kind: "saved_card", card: { brand: "visa", last4: "4242" } },
    });
  });

  it("another tenant's entry and an unknown id are 404; no auth is 401", async () => {
    const a = await newCustomer(ctx);
    const b = await newCustomer(ctx);
    await fund(ctx, a.accountId, 1_000);
    const [entry] = await list(a, "");
    expect((await details(a, entry!.id)).status).toBe(200);
    await expectError(await details(b, entry!.id), 404, "not_found");
    await expectError(await details(b, entry!.id, "key"), 404, "not_found");
    await expectError(await details(a, "le_nope"), 404, "not_found");
    await expectError(await details(a, "x".repeat(65)), 400, "validation_error");
    await expectError(await ctx.request("GET", `/api/v1/transactions/${entry!.id}`), 401, "unauthenticated");
  });
});
