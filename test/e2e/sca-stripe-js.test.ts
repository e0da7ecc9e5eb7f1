import { afterAll, beforeAll, expect, it } from "vitest";
import { postWebhook } from "../payments/helpers";
import { SCA_CARD, saveScaCard, scaStripeEnv, signedIntentEvent, startStripeScaProxy, type StripeScaProxy } from "../payments/stripe-sca-helpers";
import { signUp, startBrowserHarness, type BrowserHarness } from "./browser-harness";

/**
 * The confirm page with the stripe provider in a real browser: stripe-mock behind the proxy
 * that declines every off-session charge with `authentication_required`, and Stripe.js
 * replaced by a stand-in at its real address (https://js.stripe.com/v3/; the machine has no
 * way out) that records what our /pay/confirm.js asks of it. Checks that the page's own
 * Content-Security-Policy lets Stripe.js, our script and our style load (no violation),
 * that our script confirms the intent with its client secret and the saved card, shows
 * Stripe's error and lets the customer retry, reloads after success, and that the page then
 * shows the payment settled by payment_intent.succeeded.
 */
const PUBLISHABLE_KEY = "pk_test_browser";
let stripe: StripeScaProxy;
let h: BrowserHarness;
beforeAll(async () => {
  stripe = await startStripeScaProxy();
  h = await startBrowserHarness({ env: scaStripeEnv(stripe, PUBLISHABLE_KEY) });
});
afterAll(async () => {
  await h?.close();
  await stripe?.stop();
});

/** Stripe.js stand-in: records calls in sessionStorage (they survive the reload); the first confirm fails as a decline would. */
const STRIPE_JS_STAND_IN = `
(function () {
  function record(call) {
    var calls = JSON.parse(sessionStorage.getItem("stripeCalls") || "[]");
    calls.push(call);
    sessionStorage.setItem("stripeCalls", JSON.stringify(calls));
    return calls.filter(function (c) { return c[0] === call[0]; }).length;
  }
  window.Stripe = function (key) {
    record(["Stripe", key]);
    return {
      confirmCardPayment: function (secret, data) {
        var n = record(["confirmCardPayment", secret, data]);
        return Promise.resolve(n === 1 ? { error: { message: "Your card was declined." } } : { paymentIntent: { status: "succeeded" } });
      },
      handleNextAction: function (options) {
        record(["handleNextAction", options]);
        return Promise.resolve({ paymentIntent: { status: "succeeded" } });
      },
    };
  };
})();`;

it("Stripe.js confirms the intent with its client secret and the saved card; errors can be retried; the settled payment shows", async () => {
  const { browser, base, ctx } = h;
  const page = await browser.newPage({ locale: "en-US" });
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.route("https://js.stripe.com/v3/", (route) =>
    route.fulfill({ status: 200, contentType: "text/javascript", body: STRIPE_JS_STAND_IN }),
  );
  await signUp(page, base, "Stripe SCA GmbH");
  const accountId = await page.evaluate(async () => ((await (await fetch("/api/v1/me")).json()) as { account: { id: string } }).account.id);
  await saveScaCard(ctx.deps.database.sql, accountId);
  const topup = await page.evaluate(async () => {
    const res = await fetch("/api/v1/topups", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ amount: 2_500, paymentMethodId: "default" }),
    });
    return (await res.json()) as { id: string; status: string; actionUrl: string };
  });
  expect(topup).toMatchObject({ status: "pending", actionUrl: `${base}/pay/confirm/${topup.id}` });

  await page.goto(topup.actionUrl);
  await expect.poll(() => page.getByRole("heading", { name: "Confirm your payment" }).count()).toBe(1);
  const secret = await page.locator("#confirm").getAttribute("data-client-secret");
  expect(secret).toMatch(/^pi_\w+_secret_\w+$/);
  const button = page.getByRole("button", { name: "Confirm payment" });
  await button.click();
  await expect.poll(() => page.getByRole("alert").textContent()).toBe("Your card was declined.");
  expect(await button.isEnabled()).toBe(true);

  const reloaded = page.waitForEvent("load");
  await button.click();
  await reloaded;
  const calls = await page.evaluate(() => {
    const storage = (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage;
    return JSON.parse(storage.getItem("stripeCalls") ?? "[]") as unknown[];
  });
  expect(calls.filter((c) => (c as string[])[0] !== "Stripe")).toEqual([
    ["confirmCardPayment", secret, { payment_method: SCA_CARD }],
    ["confirmCardPayment", secret, { payment_method: SCA_CARD }],
  ]);
  expect(calls).toContainEqual(["Stripe", PUBLISHABLE_KEY]);

  // Stripe tells us the customer's confirmation succeeded; the page shows it settled.
  const [row] = await ctx.deps.database.sql<{ provider_payment_id: string }[]>`
    SELECT provider_payment_id FROM topups WHERE id = ${topup.id}`;
  const event = signedIntentEvent("payment_intent.succeeded", { id: topup.id, accountId, amount: 2_500, intentId: row!.provider_payment_id });
  expect((await postWebhook(ctx, event.rawBody, event.signature)).status).toBe(200);
  await page.reload();
  await expect.poll(() => page.getByRole("heading", { name: "Payment confirmed" }).count()).toBe(1);
  expect(violations).toEqual([]);
  await page.close();
});
