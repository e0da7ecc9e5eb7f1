import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { debit } from "../../db/ledger/debit";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";

/** GET /transactions.csv: the filters of GET /transactions, RFC 4180, parsed back and compared with the API. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

interface Entry {
  id: string;
  sequence: number;
  type: string;
  amount: number;
  balanceAfter: number;
  createdAt: string;
  description: string | null;
  metadata: Record<string, string> | null;
}

const BOM = "\ufeff";
/** The body as text with its byte order mark kept (Response.text() drops it). */
const textWithBom = async (res: Response) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer());

describe("transactions CSV export", () => {
  it("has a BOM, a header and every entry of GET /transactions, oldest first, with the same filters", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 200_000);
    await debit(ctx.deps.ledger, { accountId: c.accountId, amount: 123_456, description: 'Rechnung "Köln", Zeile 2\nmit Umbruch', metadata: { callId: "c,1" } });
    await debit(ctx.deps.ledger, { accountId: c.accountId, amount: 5, description: "=HYPERLINK(\"x\")" });
    const api = (await (await ctx.request("GET", "/api/v1/transactions", { apiKey: c.apiKey })).json()) as { data: Entry[] };
    const res = await ctx.request("GET", "/api/v1/transactions.csv", { apiKey: c.apiKey });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
    const text = await textWithBom(res);
    expect(text.startsWith(BOM)).toBe(true);
    expect(text).toContain("\r\n");
    const rows = parse(text.slice(1), { columns: true }) as Record<string, string>[];
    const expected = [...api.data].reverse();
    expect(rows.map((r) => r.id)).toEqual(expected.map((e) => e.id));
    expect(rows.map((r) => Number(r.amount))).toEqual(expected.map((e) => e.amount));
    expect(rows.map((r) => Number(r.balanceAfter))).toEqual(expected.map((e) => e.balanceAfter));
    expect(rows.map((r) => r.createdAt)).toEqual(expected.map((e) => e.createdAt));
    expect(rows[1]).toMatchObject({
      type: "usage",
      amountFormatted: "-€1,234.56",
      description: 'Rechnung "Köln", Zeile 2\nmit Umbruch',
      metadata: '{"callId":"c,1"}',
    });
    expect(rows[2]!.description).toBe("'=HYPERLINK(\"x\")");

    const filtered = await ctx.request("GET", "/api/v1/transactions.csv?type=usage&delimiter=semicolon&locale=de", { cookie: c.cookie });
    const de = parse((await textWithBom(filtered)).slice(1), { columns: true, delimiter: ";" }) as Record<string, string>[];
    expect(de.map((r) => r.type)).toEqual(["usage", "usage"]);
    expect(de[0]!.amountFormatted).toBe("-1.234,56\u00a0€"); // Intl puts a no-break space before the sign
  });

  it("refuses bad filters like GET /transactions and other tenants see only their own", async () => {
    const c = await newCustomer(ctx);
    expect((await ctx.request("GET", "/api/v1/transactions.csv?type=nope", { cookie: c.cookie })).status).toBe(400);
    expect((await ctx.request("GET", "/api/v1/transactions.csv?from=yesterday", { cookie: c.cookie })).status).toBe(400);
    expect((await ctx.request("GET", "/api/v1/transactions.csv")).status).toBe(401);
    const empty = await textWithBom(await ctx.request("GET", "/api/v1/transactions.csv", { cookie: c.cookie }));
    expect(empty).toBe(`${BOM}id,sequence,createdAt,type,amount,amountFormatted,balanceAfter,balanceAfterFormatted,currency,description,idempotencyKey,externalRef,metadata\r\n`);
  });
});
