import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../db/ledger/verify";
import { ProviderError } from "../../server/payments/errors";
import { RefundAttemptFailed, submitRefund } from "../../workers/submit-refund";
import { createTestContext, type TestContext } from "../harness";
import { expectError } from "./helpers";
import { balanceOf, chargeRefunded, deliver, paidTopup } from "./reversal-helpers";

/**
 * Operator refunds of unused balance: the balance is debited first (under row locks, never
 * more than is unused and left of the top-up), then the worker refunds at the provider
 * with a stable idempotency key; a refund the provider keeps refusing is credited back.
 */
const OPERATOR_KEY = "op_test_key_refunds_0123456789abcdefghijklmnopq";
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OPERATOR_API_KEY: OPERATOR_KEY });
});
afterAll(() => ctx.close());

interface RefundDto {
  id: string;
  amount: number;
  status: string;
  providerRefundId: string | null;
  failureReason: string | null;
}
const operator = { authorization: `Bearer ${OPERATOR_KEY}` };
const refund = (topupId: string, body: unknown = {}, headers: Record<string, string> = {}) =>
  ctx.request("POST", `/api/v1/operator/topups/${topupId}/refunds`, { headers: { ...operator, ...headers }, body });
const readRefund = async (id: string) =>
  (await (await ctx.request("GET", `/api/v1/operator/refunds/${id}`, { headers: operator })).json()) as RefundDto;
const attempt = (n: number) => ({ attempt: n, maxAttempts: 8 });

describe("operator refunds", () => {
  it("takes the amount at once; the job refunds it at the provider; the provider's charge.refunded for it adds nothing", async () => {
    const p = await paidTopup(ctx, 2_000);
    const res = await refund(p.topupId, { amount: 1_200 });
    expect(res.status, await res.clone().text()).toBe(202);
    const created = (await res.json()) as RefundDto;
    expect(created).toMatchObject({ amount: 1_200, status: "pending", providerRefundId: null });
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(800);

    const told: { type: string; data: Record<string, unknown> }[] = [];
    const stop = await ctx.deps.bus.subscribe(
      p.customer.accountId,
      () => {},
      (n) => told.push(n),
    );
    expect(await submitRefund(ctx.deps, created.id, attempt(1))).toBe("succeeded");
    await expect.poll(() => told.map((n) => n.type)).toEqual(["topup.refunded"]);
    expect(told[0]!.data).toMatchObject({ topupId: p.topupId, amount: 1_200, recovered: 1_200 });
    stop();
    expect(await readRefund(created.id)).toMatchObject({
      status: "succeeded",
      providerRefundId: expect.stringMatching(/^re_sim_/),
    });
    expect(await submitRefund(ctx.deps, created.id, attempt(2))).toBe("gone"); // a retried job does nothing more

    // The provider reported it (charge.refunded, amount_refunded 1200): recorded, nothing new.
    const reported = await ctx.deps.database.sql`
      SELECT 1 FROM payment_reversals WHERE topup_id = ${p.topupId} AND provider_ref LIKE 'ch_%:1200'`;
    expect(reported).toHaveLength(0);
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(800);
    await deliver(ctx, chargeRefunded(p, 1_200)); // and once more, as Stripe may
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(800);
    await deliver(ctx, chargeRefunded(p, 1_500)); // 300 more refunded in Stripe's dashboard
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(500);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("refunds at most what is unused and left of the top-up (default: all of it); bad input changes nothing", async () => {
    const p = await paidTopup(ctx, 2_000);
    const usage = await ctx.request("POST", "/api/v1/usage", { apiKey: p.customer.apiKey, body: { amount: 500 } });
    expect(usage.status).toBe(201);
    await expectError(await refund(p.topupId, { amount: 1_600 }), 422, "refund_exceeds_available");
    for (const body of [{ amount: -1 }, { amount: 1.5 }, { amount: "100" }, { amount: 100, extra: true }]) {
      await expectError(await refund(p.topupId, body), 400, "validation_error");
    }
    await expectError(await refund("tu_unknown", {}), 404, "not_found");
    await expectError(
      await ctx.request("POST", `/api/v1/operator/topups/${p.topupId}/refunds`, { body: {} }),
      401,
      "unauthenticated",
    );
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(1_500);

    const all = (await (await refund(p.topupId)).json()) as RefundDto;
    expect(all.amount).toBe(1_500);
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(0);
    await expectError(await refund(p.topupId, { amount: 1 }), 422, "refund_exceeds_available");
  });

  it("the operator's list of an account's top-ups says what each can still refund", async () => {
    const p = await paidTopup(ctx, 2_000);
    const list = async (accountId: string) =>
      ctx.request("GET", `/api/v1/operator/accounts/${accountId}/topups`, { headers: operator });
    const before = (await (await list(p.customer.accountId)).json()) as { data: Record<string, unknown>[] };
    expect(before.data).toEqual([
      expect.objectContaining({ id: p.topupId, amount: 2_000, status: "succeeded", takenBack: 0, refundable: 2_000 }),
    ]);
    await refund(p.topupId, { amount: 500 });
    const usage = await ctx.request("POST", "/api/v1/usage", { apiKey: p.customer.apiKey, body: { amount: 1_200 } });
    expect(usage.status).toBe(201);
    const after = (await (await list(p.customer.accountId)).json()) as { data: Record<string, unknown>[] };
    expect(after.data[0]).toMatchObject({ takenBack: 500, refundable: 300 }); // 1500 left of it, 300 unused
    await expectError(await list("acc_unknown"), 404, "not_found");
    await expectError(
      await ctx.request("GET", `/api/v1/operator/accounts/${p.customer.accountId}/topups`),
      401,
      "unauthenticated",
    );
  });

  it("concurrent refunds never take more than there is", async () => {
    const p = await paidTopup(ctx, 2_000);
    const results = await Promise.all(Array.from({ length: 10 }, () => refund(p.topupId, { amount: 300 })));
    expect(results.filter((r) => r.status === 202)).toHaveLength(6);
    for (const r of results.filter((r) => r.status !== 202)) await expectError(r, 422, "refund_exceeds_available");
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(200);
  });

  it("the same Idempotency-Key replays the first answer and refunds once", async () => {
    const p = await paidTopup(ctx, 1_000);
    const key = { "idempotency-key": `refund-${p.topupId}` };
    const first = await refund(p.topupId, { amount: 400 }, key);
    const again = await refund(p.topupId, { amount: 400 }, key);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(600);
    await expectError(await refund(p.topupId, { amount: 500 }, key), 409, "idempotency_key_reused");
  });

  it("the simulated provider refunds like Stripe: once per key, never more than paid, and says so with charge.refunded", async () => {
    const p = await paidTopup(ctx, 2_000);
    const dashboardRefund = (amount: number, idempotencyKey: string) =>
      ctx.deps.payments.refund({ paymentIntentId: p.paymentIntentId, amount, idempotencyKey });
    const first = await dashboardRefund(500, `dash-${p.topupId}`);
    expect(first.id).toMatch(/^re_sim_/);
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(1_500); // its charge.refunded took it back
    expect(await dashboardRefund(500, `dash-${p.topupId}`)).toEqual(first);
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(1_500);
    await expect(dashboardRefund(1_600, `dash2-${p.topupId}`)).rejects.toBeInstanceOf(ProviderError);
    await expect(
      ctx.deps.payments.refund({ paymentIntentId: "pi_sim_unknown", amount: 1, idempotencyKey: `x-${p.topupId}` }),
    ).rejects.toBeInstanceOf(ProviderError);
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(1_500);
  });

  it("a refund the provider keeps refusing is credited back at the last attempt; later refund totals stay right", async () => {
    const p = await paidTopup(ctx, 2_000);
    const created = (await (await refund(p.topupId, { amount: 1_000 })).json()) as RefundDto;
    const refusing = {
      ledger: ctx.deps.ledger,
      payments: {
        ...ctx.deps.payments,
        refund: () => Promise.reject(new ProviderError("Stripe: charge is disputed")),
      },
    };
    await expect(submitRefund(refusing, created.id, attempt(1))).rejects.toBeInstanceOf(RefundAttemptFailed);
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(1_000);
    expect(await submitRefund(refusing, created.id, attempt(8))).toBe("failed");
    expect(await readRefund(created.id)).toMatchObject({
      status: "failed",
      failureReason: "Stripe: charge is disputed",
    });
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(2_000);

    // The provider never refunded it: a dashboard refund of 700 is applied in full.
    await deliver(ctx, chargeRefunded(p, 700));
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(1_300);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });
});
