import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../db/ledger/verify";
import { createTestContext, fund, type TestContext } from "../harness";
import { putAutoTopup } from "../auto-topup/helpers";
import { expectError, postWebhook } from "./helpers";
import { balanceOf, chargeRefunded, deliver, disputeEvent, paidTopup, rand, stripeEvent } from "./reversal-helpers";

/**
 * Refunds and card disputes made at the provider (Stripe's `charge.refunded`,
 * `charge.dispute.created` / `.closed`) take the money back from the balance once,
 * whatever the order or number of deliveries, never more than the account has
 * available, and never start an auto top-up.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

async function entriesOf(accountId: string, type: string) {
  return ctx.deps.database.sql<{ amount: number; contra_account_id: string }[]>`
    SELECT amount, contra_account_id FROM ledger_entries WHERE account_id = ${accountId} AND type = ${type} ORDER BY sequence`;
}

async function reversalsOf(topupId: string) {
  return ctx.deps.database.sql<{ kind: string; amount: number; recovered: number }[]>`
    SELECT kind, amount, recovered FROM payment_reversals WHERE topup_id = ${topupId} ORDER BY created_at, id`;
}

describe("refunds made at the provider", () => {
  it("a full refund takes the top-up back once, however often the event or a copy of it arrives", async () => {
    const p = await paidTopup(ctx, 2_000);
    const event = chargeRefunded(p, 2_000);
    for (let i = 0; i < 3; i++) await deliver(ctx, event); // the same event id: de-duplicated
    await deliver(ctx, chargeRefunded(p, 2_000)); // another event id, same refunded total: nothing new
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(0);
    expect(await entriesOf(p.customer.accountId, "refund")).toEqual([
      { amount: -2_000, contra_account_id: "sys_refunds_EUR" },
    ]);
    expect(await reversalsOf(p.topupId)).toEqual([{ kind: "refund", amount: 2_000, recovered: 2_000 }]);
  });

  it("partial refunds add up by the cumulative total; an older total arriving late adds nothing", async () => {
    const p = await paidTopup(ctx, 2_000);
    await deliver(ctx, chargeRefunded(p, 500));
    await deliver(ctx, chargeRefunded(p, 1_200));
    await deliver(ctx, chargeRefunded(p, 500)); // the first total again, delivered late
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(800);
    expect((await entriesOf(p.customer.accountId, "refund")).map((e) => e.amount)).toEqual([-500, -700]);
  });

  it("concurrent deliveries of different totals apply exactly the largest", async () => {
    const p = await paidTopup(ctx, 3_000);
    const totals = [300, 900, 1_500, 900, 300, 1_500, 600, 1_200];
    await Promise.all(totals.map((t) => deliver(ctx, chargeRefunded(p, t))));
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(1_500);
    const refunded = (await entriesOf(p.customer.accountId, "refund")).reduce((sum, e) => sum - e.amount, 0);
    expect(refunded).toBe(1_500);
  });

  it("takes at most what is available: money already spent stays unrecovered, the books still balance", async () => {
    const p = await paidTopup(ctx, 1_000);
    const usage = await ctx.request("POST", "/api/v1/usage", { apiKey: p.customer.apiKey, body: { amount: 800 } });
    expect(usage.status).toBe(201);
    await deliver(ctx, chargeRefunded(p, 1_000));
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(0);
    expect(await reversalsOf(p.topupId)).toEqual([{ kind: "refund", amount: 1_000, recovered: 200 }]);
    // The account's funds rule holds (a database CHECK): further usage is refused.
    await expectError(
      await ctx.request("POST", "/api/v1/usage", { apiKey: p.customer.apiKey, body: { amount: 1 } }),
      402,
      "insufficient_funds",
    );
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("posts on a suspended account, and never starts an auto top-up", async () => {
    const p = await paidTopup(ctx, 5_000);
    await putAutoTopup(ctx, p.customer, { enabled: true, threshold: 4_000, amount: 2_000 }); // the card checkout saved
    await ctx.deps.database
      .sql`UPDATE accounts SET status = 'suspended', suspended_reason = 'operator' WHERE id = ${p.customer.accountId}`;
    await deliver(ctx, chargeRefunded(p, 4_000)); // 5000 -> 1000: crosses the 4000 threshold
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(1_000);
    const jobs = await ctx.deps.database.sql`
      SELECT 1 FROM graphile_worker._private_jobs WHERE key = ${"auto_topup:" + p.customer.accountId}`;
    expect(jobs).toHaveLength(0);
  });

  it("ignores payments that are not our settled top-ups, and other currencies", async () => {
    const p = await paidTopup(ctx, 1_000);
    await deliver(ctx, chargeRefunded({ ...p, paymentIntentId: "pi_not_ours" }, 1_000));
    await deliver(
      ctx,
      stripeEvent("charge.refunded", {
        id: "ch_x",
        object: "charge",
        payment_intent: p.paymentIntentId,
        amount_refunded: 1_000,
        currency: "usd",
      }),
    );
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(1_000);
    expect(await reversalsOf(p.topupId)).toEqual([]);
  });

  it("a tampered refund event is 400 and changes nothing", async () => {
    const p = await paidTopup(ctx, 1_000);
    const event = chargeRefunded(p, 100);
    const tampered = event.rawBody.replace('"amount_refunded": 100', '"amount_refunded": 1000');
    expect(tampered).not.toBe(event.rawBody);
    await expectError(await postWebhook(ctx, tampered, event.signature), 400, "invalid_signature");
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(1_000);
  });
});

describe("card disputes", () => {
  it("a dispute withdraws once; winning it gives back what it took, once; the live stream hears both", async () => {
    const p = await paidTopup(ctx, 1_500);
    const received: { type: string; data: Record<string, unknown> }[] = [];
    const unsubscribe = await ctx.deps.bus.subscribe(
      p.customer.accountId,
      () => {},
      (n) => received.push({ type: n.type, data: n.data }),
    );
    try {
      const dispute = `dp_${rand()}`;
      await deliver(ctx, disputeEvent(p, "created", dispute, 1_500, "needs_response"));
      await deliver(ctx, disputeEvent(p, "created", dispute, 1_500, "needs_response"));
      expect(await balanceOf(ctx, p.customer.accountId)).toBe(0);
      expect(await entriesOf(p.customer.accountId, "dispute")).toEqual([
        { amount: -1_500, contra_account_id: "sys_disputes_EUR" },
      ]);

      await deliver(ctx, disputeEvent(p, "closed", dispute, 1_500, "won"));
      await deliver(ctx, disputeEvent(p, "closed", dispute, 1_500, "won"));
      expect(await balanceOf(ctx, p.customer.accountId)).toBe(1_500);
      expect((await entriesOf(p.customer.accountId, "dispute")).map((e) => e.amount)).toEqual([-1_500, 1_500]);
      await expect.poll(() => received.map((r) => r.type)).toEqual(["topup.disputed", "topup.dispute_won"]);
      expect(received[0]!.data).toMatchObject({ topupId: p.topupId, amount: 1_500, recovered: 1_500, unrecovered: 0 });
    } finally {
      unsubscribe();
    }
  });

  it("a lost dispute changes nothing more; a refund after a dispute cannot take the same money twice", async () => {
    const p = await paidTopup(ctx, 1_000);
    await fund(ctx, p.customer.accountId, 5_000); // money from elsewhere must not pay for it twice
    const dispute = `dp_${rand()}`;
    await deliver(ctx, disputeEvent(p, "created", dispute, 1_000, "needs_response"));
    await deliver(ctx, disputeEvent(p, "closed", dispute, 1_000, "lost"));
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(5_000);
    await deliver(ctx, chargeRefunded(p, 1_000));
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(5_000);
    expect(await reversalsOf(p.topupId)).toEqual([
      { kind: "dispute", amount: 1_000, recovered: 1_000 },
      { kind: "refund", amount: 1_000, recovered: 0 },
    ]);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("winning a dispute that was never opened here gives nothing", async () => {
    const p = await paidTopup(ctx, 1_000);
    await deliver(ctx, disputeEvent(p, "closed", `dp_${rand()}`, 1_000, "won"));
    expect(await balanceOf(ctx, p.customer.accountId)).toBe(1_000);
    expect(await reversalsOf(p.topupId)).toEqual([]);
  });
});

it("verify names a reversal that disagrees with its entry (checked in a transaction that rolls back)", async () => {
  const p = await paidTopup(ctx, 1_000);
  const rollback = new Error("roll back");
  await expect(
    ctx.deps.database.sql.begin(async (tx) => {
      await tx`
        INSERT INTO payment_reversals (id, topup_id, account_id, kind, provider_ref, amount, recovered, ledger_entry_id)
        SELECT 'prv_bogus', id, account_id, 'refund', 'ch_bogus:300', 300, 300, ledger_entry_id FROM topups WHERE id = ${p.topupId}`;
      const violations = await verifyLedger(tx);
      expect(violations.map((v) => v.invariant)).toEqual([expect.stringContaining("a payment reversal's entry")]);
      expect(violations[0]!.examples).toEqual([expect.objectContaining({ id: "prv_bogus", entry_amount: 1_000 })]);
      throw rollback;
    }),
  ).rejects.toBe(rollback);
});
