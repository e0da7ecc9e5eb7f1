import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../harness";
import { OPERATOR_KEY, uniqueMeterKey } from "./helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

const op = (method: string, path: string, body?: unknown) =>
  ctx.request(method, `/api/v1/operator/meters${path}`, { apiKey: OPERATOR_KEY, body });

describe("operator meters and prices", () => {
  it("creates, reads, renames and archives a meter, each change audited in the same transaction", async () => {
    const key = uniqueMeterKey("gpt");
    const created = await op("POST", "", { key, name: "GPT input", unit: "token" });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ key, name: "GPT input", unit: "token", status: "active", prices: [] });
    expect((await op("POST", "", { key, name: "again", unit: "token" })).status).toBe(409);

    const patched = await op("PATCH", `/${key}`, { name: "GPT-4o input", status: "archived" });
    expect(await patched.json()).toMatchObject({ name: "GPT-4o input", unit: "token", status: "archived" });
    expect(await (await op("GET", `/${key}`)).json()).toMatchObject({ name: "GPT-4o input" });
    const list = (await (await op("GET", "")).json()) as { data: { key: string }[] };
    expect(list.data.map((m) => m.key)).toContain(key);

    const audit = await ctx.deps.database.sql<{ actor: string; action: string; before: { name: string } | null; after: { name: string } }[]>`
      SELECT actor, action, before, after FROM audit_log WHERE target_id = ${key} ORDER BY at, id`;
    expect(audit.map((a) => a.action)).toEqual(["meter.created", "meter.updated"]);
    expect(audit[1]).toMatchObject({ actor: "api_key", before: { name: "GPT input" }, after: { name: "GPT-4o input" } });
  });

  it("adds price versions as exact decimals and never edits one in place", async () => {
    const key = uniqueMeterKey();
    await op("POST", "", { key, name: "Calls", unit: "call" });
    const first = await op("POST", `/${key}/prices`, { currency: "EUR", unitAmountDecimal: "0.000250000001", effectiveFrom: "2026-01-01T00:00:00Z" });
    expect(first.status).toBe(201);
    const second = await op("POST", `/${key}/prices`, { currency: "eur", unitAmountDecimal: "12.5" });
    const meter = (await second.json()) as { prices: { currency: string; unitAmountDecimal: string; effectiveFrom: string }[] };
    expect(meter.prices.map((p) => [p.currency, p.unitAmountDecimal])).toEqual([["EUR", "0.000250000001"], ["EUR", "12.5"]]);
    expect(meter.prices[0]!.effectiveFrom).toBe("2026-01-01T00:00:00.000Z");

    const same = await op("POST", `/${key}/prices`, { currency: "EUR", unitAmountDecimal: "1", effectiveFrom: "2026-01-01T00:00:00Z" });
    expect(same.status).toBe(409);
    await expect(ctx.deps.database.sql`UPDATE meter_prices SET unit_amount = 1 WHERE meter_key = ${key}`).rejects.toThrow(/append-only/);
    const audit = await ctx.deps.database.sql`SELECT 1 FROM audit_log WHERE target_id = ${key} AND action = 'meter.price_added'`;
    expect(audit).toHaveLength(2);
  });

  it("refuses bad prices and keys with 400 and changes nothing", async () => {
    const key = uniqueMeterKey();
    await op("POST", "", { key, name: "X", unit: "x" });
    for (const unitAmountDecimal of ["0.0000000000001", "-1", "1e-5", "0.1.2", "", " 1", 0.5]) {
      const res = await op("POST", `/${key}/prices`, { currency: "EUR", unitAmountDecimal });
      expect(res.status, String(unitAmountDecimal)).toBe(400);
    }
    expect((await op("POST", "", { key: "Upper Case", name: "X", unit: "x" })).status).toBe(400);
    expect((await op("POST", `/${key}/prices`, { currency: "XYZ", unitAmountDecimal: "1" })).status).toBe(400);
    const meter = (await (await op("GET", `/${key}`)).json()) as { prices: unknown[] };
    expect(meter.prices).toEqual([]);
    expect((await op("GET", "/no.such.meter")).status).toBe(404);
  });

  it("needs the operator key", async () => {
    expect((await ctx.request("GET", "/api/v1/operator/meters")).status).toBe(401);
    const res = await ctx.request("POST", "/api/v1/operator/meters", { apiKey: "wrong", body: { key: "k", name: "k", unit: "u" } });
    expect(res.status).toBe(401);
  });
});
