import type { TestContext } from "../harness";

export const OPERATOR_KEY = "op_test_key_for_usage_tests_0123456789";

let meterCounter = 0;

/** A fresh meter key (tests share one database). */
export const uniqueMeterKey = (base = "m") => `${base}.${process.pid}.${Date.now()}.${++meterCounter}`;

/** Creates a meter through the operator API with one EUR price in force since a minute ago. */
export async function newPricedMeter(ctx: TestContext, unitAmountDecimal: string, currency = "EUR"): Promise<string> {
  const key = uniqueMeterKey();
  const created = await ctx.request("POST", "/api/v1/operator/meters", {
    apiKey: OPERATOR_KEY,
    body: { key, name: key, unit: "token" },
  });
  if (created.status !== 201) throw new Error(`meter: ${created.status} ${await created.text()}`);
  const priced = await ctx.request("POST", `/api/v1/operator/meters/${key}/prices`, {
    apiKey: OPERATOR_KEY,
    body: { currency, unitAmountDecimal, effectiveFrom: new Date(Date.now() - 60_000).toISOString() },
  });
  if (priced.status !== 201) throw new Error(`price: ${priced.status} ${await priced.text()}`);
  return key;
}
