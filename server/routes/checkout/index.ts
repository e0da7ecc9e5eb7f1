import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../../context";
import { confirmPageUrl } from "../../payments/confirm-url";
import { isSimulatedProvider, type SimulatedCheckout } from "../../payments/simulated";
import { cspHash, extendCsp } from "../../middleware/security-headers";
import { checkoutTexts } from "./texts";
import { CARD_HINTS_SCRIPT, renderAuthenticationPage, renderCheckoutPage, renderMessagePage } from "./page";

/** Largest checkout form body: 4 KiB (three short fields). */
const MAX_FORM_BYTES = 4 * 1024;

const NOT_FOUND_PAGE = renderMessagePage("Checkout not found", "This checkout link is not valid.");

/**
 * The simulated provider's hosted checkout page (server/payments/simulated.ts), outside
 * /api: GET shows the form, POST takes form fields `card`, `expiry` and `cvc` (and
 * `authentication` on the 3-D Secure step) and answers with the page again, or 303 to the success URL once
 * paid. 404 when the simulated provider is not the active one. Pages are not cached.
 */
export const checkoutRoutes = new Hono<AppEnv>()
  .use("/simulated-checkout/*", bodyLimit({ maxSize: MAX_FORM_BYTES }), extendCsp({ scriptSrc: [cspHash(CARD_HINTS_SCRIPT)] }), async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  })
  // The simulated bank's authentication step of an off-session charge (simulated-charge.ts),
  // reached from our confirm page (/pay/confirm/:topupId) and leading back to it, as the
  // 3-D Secure frame Stripe.js opens does.
  .get("/simulated-checkout/confirm/:id", async (c) => {
    const payments = c.get("deps").payments;
    const intent = isSimulatedProvider(payments) ? await payments.getPaymentIntent(c.req.param("id")) : null;
    if (!intent?.topupId) return c.html(NOT_FOUND_PAGE, 404);
    if (intent.status !== "requires_action") return c.redirect(confirmPageUrl(c.get("deps").publicUrl, intent.topupId), 303);
    return c.html(renderAuthenticationPage(intent));
  })
  .post("/simulated-checkout/confirm/:id", async (c) => {
    const payments = c.get("deps").payments;
    if (!isSimulatedProvider(payments)) return c.html(NOT_FOUND_PAGE, 404);
    const form = await c.req.parseBody();
    const intent = await payments.confirmPaymentIntent(c.req.param("id"), form.authentication === "complete" ? "complete" : "fail");
    if (!intent?.topupId) return c.html(NOT_FOUND_PAGE, 404);
    return c.redirect(confirmPageUrl(c.get("deps").publicUrl, intent.topupId), 303);
  })
  .get("/simulated-checkout/:id", async (c) => {
    const payments = c.get("deps").payments;
    const checkout = isSimulatedProvider(payments) ? await payments.getCheckout(c.req.param("id")) : null;
    if (!checkout) return c.html(NOT_FOUND_PAGE, 404);
    return c.html(checkout.status === "open" ? renderCheckoutPage(checkout) : renderClosedPage(checkout));
  })
  .post("/simulated-checkout/:id", async (c) => {
    const payments = c.get("deps").payments;
    if (!isSimulatedProvider(payments)) return c.html(NOT_FOUND_PAGE, 404);
    const form = await c.req.parseBody();
    const authentication = form.authentication === "complete" || form.authentication === "fail" ? form.authentication : undefined;
    const text = (value: unknown) => (typeof value === "string" ? value : "");
    const outcome = await payments.submitCard(c.req.param("id"), {
      card: text(form.card),
      expiry: text(form.expiry),
      cvc: text(form.cvc),
      authentication,
    });
    if (outcome.kind === "paid") return c.redirect(outcome.redirectUrl, 303);
    if (outcome.kind === "not_found") return c.html(NOT_FOUND_PAGE, 404);
    if (outcome.kind === "expired") return c.html(renderClosedPage(outcome.checkout));
    if (outcome.kind === "requires_authentication") return c.html(renderAuthenticationPage(outcome.checkout, { card: outcome.card, expiry: outcome.expiry }));
    return c.html(renderCheckoutPage(outcome.checkout, outcome.message));
  });

/** A session that can no longer be paid: paid already (link to continue) or expired. */
function renderClosedPage(checkout: SimulatedCheckout): string {
  const t = checkoutTexts(checkout.locale);
  if (checkout.status === "complete") {
    return renderMessagePage(t.paidTitle, t.paidBody, { href: checkout.successUrl, text: t.continue }, checkout.locale);
  }
  return renderMessagePage(t.expiredTitle, t.expiredBody, { href: checkout.cancelUrl, text: t.return }, checkout.locale);
}
