import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEND_EMAIL_TASK } from "../../db/notifications/enqueue";
import { runAutoTopup } from "../../workers/run-auto-topup";
import { autoTopups, collectNotices, fakeClock, jobDeps, putAutoTopup } from "../auto-topup/helpers";
import { createTestContext, newCustomer, type Customer, type TestContext } from "../harness";
import { postWebhook } from "./helpers";
import { saveScaCard, scaStripeEnv, signedIntentEvent, startStripeScaProxy, type IntentTopup, type StripeScaProxy } from "./stripe-sca-helpers";

// Strong customer authentication with the stripe provider: stripe-mock answers every request
// except the off-session charge, which the proxy answers as Stripe does when the bank asks for
// authentication (stripe-sca-proxy.ts).
const PUBLISHABLE_KEY = "pk_test_sca123";
let stripe: StripeScaProxy;
let ctx: TestContext;

beforeAll(async () => {
  stripe = await startStripeScaProxy();
  ctx = await createTestContext(scaStripeEnv(stripe, PUBLISHABLE_KEY));
});
afterAll(async () => {
  await ctx?.close();
  await stripe?.stop();
});

/** Posts a signed Stripe `payment_intent.*` event for the top-up's intent; expects 200. */
async function intentEvent(type: string, topup: IntentTopup, extra = {}) {
  const event = signedIntentEvent(type, topup, extra);
  const res = await postWebhook(ctx, event.rawBody, event.signature);
  expect(res.status, await res.clone().text()).toBe(200);
}
const saveStripeCard = (accountId: string) => saveScaCard(ctx.deps.database.sql, accountId);

const topupRow = async (id: string) => {
  const [row] = await ctx.deps.database.sql<{ status: string; provider_payment_id: string; action_url: string | null }[]>`
    SELECT status, provider_payment_id, action_url FROM topups WHERE id = ${id}`;
  return row!;
};
const balanceOf = async (accountId: string) =>
  (await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${accountId}`)[0]!.balance;
const settingsOf = async (c: Customer) =>
  (await (await ctx.request("GET", "/api/v1/auto-topup", { cookie: c.cookie })).json()) as Record<string, unknown>;
/** The send_email jobs of the account's requires_action notifications: the confirm link of each. */
const confirmEmails = async (accountId: string) =>
  (
    await ctx.deps.database.sql<{ url: string }[]>`
      SELECT payload->'data'->>'actionUrl' AS url FROM graphile_worker._private_jobs
       WHERE task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = ${SEND_EMAIL_TASK})
         AND payload->>'accountId' = ${accountId} AND payload->>'type' = 'auto_topup.requires_action'`
  ).map((r) => r.url);

describe("strong customer authentication with the stripe provider", () => {
  it("auto top-up: authentication_required pauses it with our confirm link, the Stripe.js page confirms, payment_intent.succeeded settles and resumes it", async () => {
    const c = await newCustomer(ctx);
    await saveStripeCard(c.accountId);
    await putAutoTopup(ctx, c, { enabled: true, threshold: 1_000, amount: 2_000, cooldownMinutes: 0 });
    const { notices, stop } = await collectNotices(ctx, c.accountId);

    expect(await runAutoTopup(jobDeps(ctx, fakeClock().now), c.accountId)).toMatchObject({ status: "requires_action" });
    const [attempt] = await autoTopups(ctx, c.accountId);
    const confirmUrl = `http://localhost:3000/pay/confirm/${attempt!.id}`;
    const paused = await settingsOf(c);
    expect(paused).toMatchObject({ enabled: true, lastResult: "requires_action", actionUrl: confirmUrl, consecutiveFailures: 0 });
    expect(await confirmEmails(c.accountId)).toEqual([confirmUrl]);
    const topup = { id: attempt!.id, accountId: c.accountId, amount: 2_000, intentId: (await topupRow(attempt!.id)).provider_payment_id };
    expect(topup.intentId).toMatch(/^pi_sca_/);

    // Stripe also tells of the decline as payment_intent.payment_failed: it still waits for the customer.
    await intentEvent("payment_intent.payment_failed", topup, {
      last_payment_error: { type: "card_error", code: "authentication_required", message: "This payment requires authentication." },
    });
    expect(await topupRow(topup.id)).toMatchObject({ status: "pending", action_url: confirmUrl });
    expect(await settingsOf(c)).toMatchObject({ actionUrl: confirmUrl, lastResult: "requires_action" });
    expect(await confirmEmails(c.accountId)).toHaveLength(1);

    // The confirm page: Stripe.js from js.stripe.com, our script, the intent's client secret and the card.
    const page = await ctx.request("GET", `/pay/confirm/${topup.id}`, { cookie: c.cookie });
    const html = await page.text();
    expect(page.status, html).toBe(200);
    expect(html).toContain('<script src="https://js.stripe.com/v3/"></script>');
    expect(html).toContain('<script src="/pay/confirm.js"></script>');
    expect(html).toContain(`data-publishable-key="${PUBLISHABLE_KEY}"`);
    expect(html).toMatch(/data-client-secret="pi_\w+_secret_\w+"/);
    expect(html).toContain('data-intent-status="requires_payment_method"');
    expect(html).toContain('data-payment-method="pm_card_authenticationRequired"');
    expect(html).toContain("Auto top-up is paused until you do.");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self' https://js.stripe.com");
    expect(csp).toContain("frame-src https://js.stripe.com https://hooks.stripe.com");
    expect(page.headers.get("cache-control")).toBe("no-store");
    const script = await ctx.request("GET", "/pay/confirm.js");
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("stripe.confirmCardPayment(secret");

    // The customer confirmed with Stripe.js; Stripe sends payment_intent.succeeded (twice, as it may).
    await intentEvent("payment_intent.succeeded", topup);
    await intentEvent("payment_intent.succeeded", topup);
    expect(await topupRow(topup.id)).toMatchObject({ status: "succeeded", action_url: null });
    expect(await balanceOf(c.accountId)).toBe(2_000);
    expect(await settingsOf(c)).toMatchObject({ enabled: true, actionUrl: null, lastResult: "succeeded" });
    expect(notices.map((n) => n.type).filter((t) => t.startsWith("auto_topup."))).toEqual([
      "auto_topup.requires_action",
      "auto_topup.succeeded",
    ]);
    stop();

    const after = await ctx.request("GET", `/pay/confirm/${topup.id}`, { cookie: c.cookie });
    expect(await after.text()).toContain("Payment confirmed");
  });

  it("one-click top-up: pending with the confirm link; payment_intent.succeeded settles it", async () => {
    const c = await newCustomer(ctx);
    await saveStripeCard(c.accountId);
    const res = await ctx.request("POST", "/api/v1/topups", { cookie: c.cookie, body: { amount: 2_500, paymentMethodId: "default" } });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as { id: string; status: string; actionUrl: string | null };
    expect(created).toMatchObject({ status: "pending", actionUrl: `http://localhost:3000/pay/confirm/${created.id}` });

    const page = await ctx.request("GET", `/pay/confirm/${created.id}`, { cookie: c.cookie });
    const html = await page.text();
    expect(page.status, html).toBe(200);
    expect(html).toContain("Confirm your payment");
    expect(html).not.toContain("Auto top-up");

    const intentId = (await topupRow(created.id)).provider_payment_id;
    await intentEvent("payment_intent.succeeded", { id: created.id, accountId: c.accountId, amount: 2_500, intentId });
    expect(await topupRow(created.id)).toMatchObject({ status: "succeeded" });
    expect(await balanceOf(c.accountId)).toBe(2_500);
  });

  it("the confirm page is the account's own: log in first (303), another account's top-up is 404, a viewer is 403", async () => {
    const c = await newCustomer(ctx);
    await saveStripeCard(c.accountId);
    const res = await ctx.request("POST", "/api/v1/topups", { cookie: c.cookie, body: { amount: 2_500, paymentMethodId: "default" } });
    const { id } = (await res.json()) as { id: string };

    const anonymous = await ctx.request("GET", `/pay/confirm/${id}`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe(`/login?next=${encodeURIComponent(`/pay/confirm/${id}`)}`);

    const other = await newCustomer(ctx);
    const foreign = await ctx.request("GET", `/pay/confirm/${id}`, { cookie: other.cookie });
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain("secret");
    expect((await ctx.request("GET", "/pay/confirm/tu_nope", { cookie: c.cookie })).status).toBe(404);

    await ctx.deps.database.sql`UPDATE account_members SET role = 'viewer' WHERE account_id = ${c.accountId}`;
    const viewer = await ctx.request("GET", `/pay/confirm/${id}`, { cookie: c.cookie });
    expect(viewer.status).toBe(403);
    expect(await viewer.text()).not.toContain("secret");
  });
});
