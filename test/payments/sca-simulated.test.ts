import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../db/ledger/verify";
import { saveTestCard } from "../auto-topup/helpers";
import { createTestContext, newCustomer, type Customer, type TestContext } from "../harness";
import { captureWebhooks, confirmThroughPage, moneyOf, topupStatus } from "./helpers";

// The simulated provider follows the same confirm path as Stripe: a one-click charge on the
// card that needs authentication (4000002500003155) is pending with our confirm page as its
// actionUrl; that page leads to the simulated bank's page and back.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

async function oneClick(c: Customer, amount: number) {
  const res = await ctx.request("POST", "/api/v1/topups", { cookie: c.cookie, body: { amount, paymentMethodId: "default" } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; status: string; actionUrl: string | null };
}

describe("confirm page with the simulated provider", () => {
  it("a one-click top-up that needs authentication: our confirm page, the bank's page, back: paid once", async () => {
    const c = await newCustomer(ctx);
    await saveTestCard(ctx, c.accountId, "3155");
    const topup = await oneClick(c, 2_500);
    expect(topup).toMatchObject({ status: "pending", actionUrl: `http://localhost:3000/pay/confirm/${topup.id}` });

    const done = await confirmThroughPage(ctx, c, topup.actionUrl!, "complete");
    expect(done.status).toBe(200);
    expect(done.html).toContain("Payment confirmed");
    expect(done.html).toContain("€25.00");
    expect(await moneyOf(ctx, c.accountId)).toEqual({ balance: 2_500, topupEntries: 1 });
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("failing the authentication fails the top-up and the page says so", async () => {
    const c = await newCustomer(ctx);
    await saveTestCard(ctx, c.accountId, "3155");
    const topup = await oneClick(c, 2_500);
    const done = await confirmThroughPage(ctx, c, topup.actionUrl!, "fail");
    expect(done.html).toContain("Payment not completed");
    expect(await topupStatus(ctx, topup.id)).toBe("failed");
    expect(await moneyOf(ctx, c.accountId)).toEqual({ balance: 0, topupEntries: 0 });
  });

  it("without the webhook, reading the confirm page after the customer confirmed settles the payment", async () => {
    const c = await newCustomer(ctx);
    await saveTestCard(ctx, c.accountId, "3155");
    const topup = await oneClick(c, 2_500);
    let done: { html: string } | undefined;
    const lost = await captureWebhooks(ctx, async () => {
      done = await confirmThroughPage(ctx, c, topup.actionUrl!, "complete");
    });
    expect(lost.map((w) => JSON.parse(w.rawBody).type)).toEqual(["payment_intent.succeeded"]);
    expect(done!.html).toContain("Payment confirmed");
    expect(await topupStatus(ctx, topup.id)).toBe("succeeded");
    expect(await moneyOf(ctx, c.accountId)).toEqual({ balance: 2_500, topupEntries: 1 });
  });

  it("speaks the signed-in user's language: a German user's confirm page, outcome and decline reason in German", async () => {
    const c = await newCustomer(ctx);
    expect((await ctx.request("PUT", "/api/v1/me/locale", { cookie: c.cookie, body: { locale: "de" } })).status).toBe(200);
    await saveTestCard(ctx, c.accountId, "3155");
    const topup = await oneClick(c, 2_500);
    const page = await ctx.request("GET", new URL(topup.actionUrl!).pathname, { cookie: c.cookie });
    const html = (await page.text()).replace(/\s+/g, " ");
    expect(html).toContain('<html lang="de"');
    expect(html).toContain("Zahlung bestätigen");
    expect(html).toContain("Ihre Bank bittet Sie, die Aufladung über <strong data-testid=\"confirm-amount\">25,00 €</strong> zu bestätigen.");
    const done = await confirmThroughPage(ctx, c, topup.actionUrl!, "fail");
    expect(done.html).toContain("Zahlung nicht abgeschlossen");
    expect(done.html).toContain("wurde nicht bezahlt: Die Zahlung wurde nicht bestätigt.");
    const unknown = await ctx.request("GET", "/pay/confirm/top_unknown", { cookie: c.cookie });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("Zahlung nicht gefunden");
  });
});
