import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, newCustomer, type TestContext } from "../harness";
import { chargeRefunded, deliver, paidTopup } from "../payments/reversal-helpers";
import { paidTopupFor } from "./paid-topup";
import { pdfText } from "./pdf-text";

/** GET /documents, /documents/{id}, /documents/{id}/pdf: listing, tenancy, PDFs in de and en. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

interface Doc {
  id: string;
  type: string;
  number: string;
  amount: number;
  topupId: string | null;
}

const list = async (cookie: string, query = "") => {
  const res = await ctx.request("GET", `/api/v1/documents${query}`, { cookie });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { data: Doc[]; nextCursor: string | null };
};

describe("documents API", () => {
  it("lists receipts and credit notes newest first, by type, page by page", async () => {
    const p = await paidTopup(ctx, 2_000);
    await deliver(ctx, chargeRefunded(p, 300));
    const all = await list(p.customer.cookie);
    expect(all.data.map((d) => d.type)).toEqual(["credit_note", "receipt"]);
    expect(all.data[1]).toMatchObject({ topupId: p.topupId, amount: 2_000 });
    expect((await list(p.customer.cookie, "?type=receipt")).data.map((d) => d.type)).toEqual(["receipt"]);
    const first = await list(p.customer.cookie, "?limit=1");
    expect(first.data.map((d) => d.type)).toEqual(["credit_note"]);
    const second = await list(p.customer.cookie, `?limit=1&cursor=${first.nextCursor}`);
    expect(second).toEqual({ data: [all.data[1]], nextCursor: null });
    expect((await ctx.request("GET", "/api/v1/documents?cursor=bad", { cookie: p.customer.cookie })).status).toBe(400);
  });

  it("topupId filters to the documents of those top-ups (a top-up's receipt), comma-separated", async () => {
    const p = await paidTopup(ctx, 1_500);
    const second = await paidTopupFor(ctx, p.customer, 700);
    await paidTopupFor(ctx, p.customer, 900);
    const one = await list(p.customer.cookie, `?type=receipt&topupId=${second}`);
    expect(one.data.map((d) => [d.topupId, d.amount])).toEqual([[second, 700]]);
    const two = await list(p.customer.cookie, `?type=receipt&topupId=${p.topupId},${second},top_none`);
    expect(two.data.map((d) => d.topupId)).toEqual([second, p.topupId]);
    expect((await list(p.customer.cookie, "?topupId=top_none")).data).toEqual([]);
    const empty = await ctx.request("GET", "/api/v1/documents?topupId=a,,b", { cookie: p.customer.cookie });
    expect(empty.status).toBe(400);
  });

  it("an API key with balance:read reads them; other tenants get 404", async () => {
    const p = await paidTopup(ctx, 1_000);
    const [receipt] = (await list(p.customer.cookie)).data;
    const byKey = await ctx.request("GET", `/api/v1/documents/${receipt!.id}`, { apiKey: p.customer.apiKey });
    expect(byKey.status).toBe(200);
    expect(await byKey.json()).toMatchObject({ id: receipt!.id, snapshot: { kind: "money", reason: "topup" } });
    const other = await newCustomer(ctx);
    for (const path of [`/api/v1/documents/${receipt!.id}`, `/api/v1/documents/${receipt!.id}/pdf`]) {
      const res = await ctx.request("GET", path, { cookie: other.cookie });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
    expect((await list(other.cookie)).data).toEqual([]);
  });

  it("the PDF shows number, amounts, umlauts and the euro sign in German, and is the same at every download", async () => {
    const customer = await newCustomer(ctx);
    await ctx.deps.database.sql`UPDATE users SET locale = 'de' WHERE email = ${customer.email}`;
    await ctx.request("PUT", "/api/v1/billing-details", {
      cookie: customer.cookie,
      body: { legalName: "Größenwahn Bäckerei GmbH", addressLine1: "Königsallee 1", postalCode: "40212", city: "Düsseldorf", country: "DE", vatId: "DE136695976" },
    });
    await paidTopupFor(ctx, customer, 11_900);
    const [receipt] = (await list(customer.cookie)).data;
    const res = await ctx.request("GET", `/api/v1/documents/${receipt!.id}/pdf`, { cookie: customer.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${receipt!.number}.pdf"`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const again = new Uint8Array(await (await ctx.request("GET", `/api/v1/documents/${receipt!.id}/pdf`, { cookie: customer.cookie })).arrayBuffer());
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    const text = await pdfText(bytes);
    for (const expected of [
      "Rechnung",
      receipt!.number,
      "Größenwahn Bäckerei GmbH",
      "Königsallee 1",
      "40212 Düsseldorf",
      "DE136695976",
      "Leistungsdatum",
      "100,00 €",
      "USt. 19 %",
      "19,00 €",
      "119,00 €",
      "Visa •••• 4242",
    ]) {
      expect(text).toContain(expected);
    }
  });

  it("an English credit note names the receipt it corrects, with English number formats", async () => {
    const p = await paidTopup(ctx, 123_456);
    await deliver(ctx, chargeRefunded(p, 123_456));
    const [credit, receipt] = (await list(p.customer.cookie)).data;
    const res = await ctx.request("GET", `/api/v1/documents/${credit!.id}/pdf`, { apiKey: p.customer.apiKey });
    const text = await pdfText(new Uint8Array(await res.arrayBuffer()));
    for (const expected of ["Credit note", credit!.number, `Corrects`, receipt!.number, "€1,234.56", "€1,037.45", "VAT 19%", "€197.11"]) {
      expect(text).toContain(expected);
    }
  });
});
