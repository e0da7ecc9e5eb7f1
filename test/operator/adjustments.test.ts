import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BalanceEvent } from "../../db/ledger/types";
import { assertAdjustmentAllowed } from "../../server/routes/operator/adjustments";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { expectError } from "../payments/helpers";
import { asOperator, auditRows, OPERATOR_KEY, withFailingAudit } from "./helpers";

/** POST /operator/accounts/{id}/adjustments (issue 11.4): ledger verb, reason shown to the customer, audited, idempotent. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

const adjust = (accountId: string, body: unknown, key?: string) =>
  asOperator(ctx, "POST", `accounts/${accountId}/adjustments`, { body, headers: key ? { "idempotency-key": key } : {} });

const ledgerOf = async (accountId: string) =>
  ctx.deps.database.sql<{ type: string; amount: number; contra_account_id: string; description: string }[]>`
    SELECT type, amount, contra_account_id, description FROM ledger_entries WHERE account_id = ${accountId} ORDER BY sequence`;

describe("operator adjustments", () => {
  it("credits goodwill with a reason the customer sees in their transactions and live; audited", async () => {
    const c = await newCustomer(ctx);
    const events: BalanceEvent[] = [];
    const stop = await ctx.deps.bus.subscribe(c.accountId, (e) => events.push(e), () => {});
    const res = await adjust(c.accountId, { amount: 500, type: "promotion", reason: "Sorry for the outage" }, "adj-1");
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as { entry: { id: string; type: string; amount: number; description: string }; balance: number };
    expect(body).toMatchObject({ balance: 500, available: 500, entry: { type: "promotion", amount: 500, description: "Sorry for the outage" } });
    expect(await ledgerOf(c.accountId)).toEqual([
      { type: "promotion", amount: 500, contra_account_id: "sys_promotions_EUR", description: "Sorry for the outage" },
    ]);

    const tx = (await (await ctx.request("GET", "/api/v1/transactions", { cookie: c.cookie })).json()) as {
      data: { id: string; description: string; type: string }[];
    };
    expect(tx.data[0]).toMatchObject({ id: body.entry.id, type: "promotion", description: "Sorry for the outage" });
    await expect.poll(() => events.map((e) => e.balance)).toEqual([500]);
    stop();

    const [row, ...more] = await auditRows(ctx, c.accountId);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      actor: "api_key",
      action: "account.adjusted",
      before: { balance: 0 },
      after: { balance: 500, entryId: body.entry.id, amount: 500, type: "promotion", reason: "Sorry for the outage" },
    });
    expect(row!.request_id).toBe(res.headers.get("x-request-id"));
  });

  it("debits as an adjustment against the adjustments account; never beyond available funds", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    expect((await adjust(c.accountId, { amount: -300, type: "adjustment", reason: "Duplicate credit" })).status).toBe(201);
    await expectError(await adjust(c.accountId, { amount: -800, type: "adjustment", reason: "Too much" }), 402, "insufficient_funds");
    const entries = await ledgerOf(c.accountId);
    expect(entries.slice(1)).toEqual([
      { type: "adjustment", amount: -300, contra_account_id: "sys_adjustments_EUR", description: "Duplicate credit" },
    ]);
    expect((await auditRows(ctx, c.accountId)).map((r) => (r.after as { amount: number }).amount)).toEqual([-300]);
  });

  it("a suspended account takes credits but not debits", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    await asOperator(ctx, "POST", `accounts/${c.accountId}/suspend`, { body: {} });
    expect((await adjust(c.accountId, { amount: 100, type: "adjustment", reason: "Credit" })).status).toBe(201);
    await expectError(await adjust(c.accountId, { amount: -100, type: "adjustment", reason: "Debit" }), 403, "account_suspended");
  });

  it("the same Idempotency-Key replays the first answer: one entry, one audit row; another body is 409", async () => {
    const c = await newCustomer(ctx);
    const body = { amount: 250, type: "adjustment", reason: "Correction" };
    const first = await adjust(c.accountId, body, "same-key");
    const again = await adjust(c.accountId, body, "same-key");
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    await expectError(await adjust(c.accountId, { ...body, amount: 260 }, "same-key"), 409, "idempotency_key_reused");
    // the customer's own key of the same name does not collide with the operator's
    expect((await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount: 50 }, headers: { "idempotency-key": "same-key" } })).status).toBe(201);
    expect((await ledgerOf(c.accountId)).map((e) => e.amount)).toEqual([250, -50]);
    expect(await auditRows(ctx, c.accountId)).toHaveLength(1);
  });

  it("a failed audit rolls the entry back", async () => {
    const c = await newCustomer(ctx);
    await withFailingAudit(ctx, c.accountId, async () => {
      await expectError(await adjust(c.accountId, { amount: 100, type: "promotion", reason: "x" }), 500, "internal_error");
    });
    expect(await ledgerOf(c.accountId)).toEqual([]);
  });

  it("bad input is 400; unknown and system accounts 404; no operator key 401", async () => {
    const c = await newCustomer(ctx);
    for (const body of [
      { amount: 100, type: "adjustment" },
      { amount: 100, type: "adjustment", reason: "   " },
      { amount: 0, type: "adjustment", reason: "zero" },
      { amount: 1.5, type: "adjustment", reason: "float" },
      { amount: "100", type: "adjustment", reason: "string" },
      { amount: 100, type: "topup", reason: "wrong type" },
      { amount: 100, type: "adjustment", reason: "x".repeat(501) },
      { amount: 100, type: "adjustment", reason: "extra", extra: 1 },
    ]) {
      await expectError(await adjust(c.accountId, body), 400, "validation_error");
    }
    await expectError(await adjust("acct_unknown", { amount: 100, type: "adjustment", reason: "x" }), 404, "not_found");
    await expectError(await adjust("sys_adjustments_EUR", { amount: 100, type: "adjustment", reason: "x" }), 404, "not_found");
    await expectError(
      await ctx.request("POST", `/api/v1/operator/accounts/${c.accountId}/adjustments`, {
        cookie: c.cookie,
        body: { amount: 100, type: "adjustment", reason: "x" },
      }),
      401,
      "unauthenticated",
    );
    expect(await ledgerOf(c.accountId)).toEqual([]);
  });

  it("support operators are limited to OPERATOR_SUPPORT_ADJUSTMENT_LIMIT either way; admins are not", () => {
    expect(() => assertAdjustmentAllowed("support", 5_000, 5_000)).not.toThrow();
    expect(() => assertAdjustmentAllowed("support", -5_000, 5_000)).not.toThrow();
    expect(() => assertAdjustmentAllowed("support", 5_001, 5_000)).toThrow(/at most 5000/);
    expect(() => assertAdjustmentAllowed("support", -5_001, 5_000)).toThrow(/at most 5000/);
    expect(() => assertAdjustmentAllowed("admin", 10_000_000, 5_000)).not.toThrow();
  });
});
