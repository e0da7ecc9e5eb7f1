import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settleTopup } from "../../db/ledger/settle-topup";
import { splitGross } from "../../db/documents/tax";
import { createTestContext, newCustomer, type TestContext } from "../harness";
import { chargeRefunded, deliver, disputeEvent, paidTopup, rand } from "../payments/reversal-helpers";
import { documentsOf, pendingTopup, withOwnIssuer } from "./helpers";

/**
 * Receipts are issued in the settlement's transaction, numbered without gaps per issuer
 * and year, frozen; refunds and disputes issue credit notes that reference them.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const year = new Date().getUTCFullYear();

describe("receipts", () => {
  it("a paid checkout top-up gets one receipt with frozen buyer, card, amounts and locale", async () => {
    const p = await paidTopup(ctx, 11_900);
    const [receipt, ...rest] = await documentsOf(ctx, p.customer.accountId);
    expect(rest).toEqual([]);
    expect(receipt).toMatchObject({
      type: "receipt",
      topup_id: p.topupId,
      amount: 11_900,
      net_amount: 10_000,
      tax_amount: 1_900,
      tax_rate_bp: 1_900,
      locale: "en",
    });
    expect(receipt!.number).toMatch(new RegExp(`^R-${year}-\\d{6}$`));
    expect(receipt!.snapshot).toMatchObject({
      kind: "money",
      reason: "topup",
      issuer: { name: expect.stringContaining("Demo"), demo: true },
      buyer: { name: "Test Co", email: p.customer.email },
      paymentMethod: { brand: "visa", last4: "4242" },
    });
  });

  it("changing billing details later changes no issued receipt; the next one shows them", async () => {
    const p = await paidTopup(ctx, 1_000);
    const put = await ctx.request("PUT", "/api/v1/billing-details", {
      cookie: p.customer.cookie,
      body: {
        legalName: "Müller GmbH",
        addressLine1: "Hauptstraße 5",
        postalCode: "10115",
        city: "Berlin",
        country: "DE",
      },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    const ledger = withOwnIssuer(ctx);
    await settleTopup(ledger, {
      topupId: await pendingTopup(ctx, p.customer.accountId, 500),
      providerPaymentId: `pi_${rand()}`,
      amountPaid: 500,
      currency: "EUR",
    });
    const [first, second] = await documentsOf(ctx, p.customer.accountId);
    expect(first!.snapshot).toMatchObject({ buyer: { name: "Test Co", addressLines: [] } });
    expect(second!.snapshot).toMatchObject({
      buyer: { name: "Müller GmbH", addressLines: ["Hauptstraße 5", "10115 Berlin"], country: "DE" },
    });
    await expect(ctx.deps.database.sql`UPDATE documents SET amount = 1 WHERE id = ${first!.id}`).rejects.toThrow(
      /append-only/,
    );
    await expect(ctx.deps.database.sql`DELETE FROM documents WHERE id = ${first!.id}`).rejects.toThrow(/append-only/);
  });

  it("50 concurrent settlements get 50 consecutive numbers", async () => {
    const customer = await newCustomer(ctx);
    const ledger = withOwnIssuer(ctx);
    const ids = await Promise.all(Array.from({ length: 50 }, () => pendingTopup(ctx, customer.accountId, 100)));
    await Promise.all(
      ids.map((topupId) =>
        settleTopup(ledger, { topupId, providerPaymentId: `pi_${rand()}`, amountPaid: 100, currency: "EUR" }),
      ),
    );
    const numbers = (await documentsOf(ctx, customer.accountId)).map((d) => d.number).sort();
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => `R-${year}-${String(i + 1).padStart(6, "0")}`));
  });

  it("a settlement that rolls back consumes no number", async () => {
    const customer = await newCustomer(ctx);
    const ledger = withOwnIssuer(ctx);
    const settle = (topupId: string, amountPaid: number) =>
      settleTopup(ledger, { topupId, providerPaymentId: `pi_${rand()}`, amountPaid, currency: "EUR" });
    await settle(await pendingTopup(ctx, customer.accountId, 100), 100);
    // The receipt is numbered, then the transaction fails (the entry's external ref is taken): all rolls back.
    const doomed = await pendingTopup(ctx, customer.accountId, 100);
    const [entry] = await ctx.deps.database.sql<{ external_ref: string }[]>`
      SELECT external_ref FROM ledger_entries WHERE account_id = ${customer.accountId}`;
    await expect(
      settleTopup(ledger, {
        topupId: doomed,
        providerPaymentId: entry!.external_ref,
        amountPaid: 100,
        currency: "EUR",
      }),
    ).rejects.toThrow();
    await settle(await pendingTopup(ctx, customer.accountId, 100), 100);
    expect((await documentsOf(ctx, customer.accountId)).map((d) => d.number)).toEqual([
      `R-${year}-000001`,
      `R-${year}-000002`,
    ]);
  });

  it("the user's language at issue is the document's", async () => {
    const customer = await newCustomer(ctx);
    await ctx.deps.database.sql`UPDATE users SET locale = 'de' WHERE email = ${customer.email}`;
    await settleTopup(withOwnIssuer(ctx), {
      topupId: await pendingTopup(ctx, customer.accountId, 100),
      providerPaymentId: `pi_${rand()}`,
      amountPaid: 100,
      currency: "EUR",
    });
    expect((await documentsOf(ctx, customer.accountId))[0]!.locale).toBe("de");
  });
});

describe("credit notes", () => {
  it("a refund at the provider issues a credit note over what went back, correcting the receipt", async () => {
    const p = await paidTopup(ctx, 2_000);
    await deliver(ctx, chargeRefunded(p, 500));
    await deliver(ctx, chargeRefunded(p, 500)); // replay: nothing new
    const [receipt, credit, ...rest] = await documentsOf(ctx, p.customer.accountId);
    expect(rest).toEqual([]);
    expect(credit).toMatchObject({
      type: "credit_note",
      amount: 500,
      corrects_document_id: receipt!.id,
      topup_id: p.topupId,
    });
    expect(credit!.number).toMatch(new RegExp(`^C-${year}-\\d{6}$`));
    expect(credit!.snapshot).toMatchObject({ reason: "refund", corrects: { number: receipt!.number } });
  });

  it("a dispute issues a credit note; winning it issues the one that cancels it", async () => {
    const p = await paidTopup(ctx, 3_000);
    const dispute = `dp_${rand()}`;
    await deliver(ctx, disputeEvent(p, "created", dispute, 3_000, "needs_response"));
    await deliver(ctx, disputeEvent(p, "closed", dispute, 3_000, "won"));
    const [receipt, opened, won] = await documentsOf(ctx, p.customer.accountId);
    expect(opened).toMatchObject({ type: "credit_note", amount: 3_000, corrects_document_id: receipt!.id });
    expect(won).toMatchObject({ type: "credit_note", amount: -3_000, corrects_document_id: opened!.id });
    expect(won!.net_amount + won!.tax_amount).toBe(-3_000);
  });
});

describe("splitGross", () => {
  it("splits half up and keeps net + tax = gross", () => {
    expect(splitGross(11_900, 1_900)).toEqual({ net: 10_000, tax: 1_900 });
    expect(splitGross(1, 1_900)).toEqual({ net: 1, tax: 0 });
    expect(splitGross(1_000, 0)).toEqual({ net: 1_000, tax: 0 });
    expect(splitGross(-11_900, 1_900)).toEqual({ net: -10_000, tax: -1_900 });
    for (const gross of [1, 7, 99, 12_345, 10_000_000_000]) {
      const { net, tax } = splitGross(gross, 700);
      expect(net + tax).toBe(gross);
    }
  });
});
