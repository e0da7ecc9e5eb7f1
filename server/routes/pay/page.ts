import type { ConfirmState } from "../../payments/confirm-payment";
import { formatMinor } from "../../../db/currency";
import { escapeHtml, layout, renderMessagePage } from "../checkout/page";
import { STRIPE_JS_URL } from "./csp";

/**
 * Server-rendered HTML of our confirm page (/pay/confirm/:topupId), in the style of the
 * simulated checkout. Every interpolated value goes through `escapeHtml`.
 */

const BACK = { href: "/", text: "Back to your balance" };

/** What the top-up is, for people: "auto top-up" or "top-up". */
const whatOf = (state: { topup: { kind: string } }) => (state.topup.kind === "auto" ? "auto top-up" : "top-up");

/**
 * The page for a confirm state (not `not_found`): the confirm step, or where the payment
 * stands. The confirm step is Stripe.js (its script, then ours, /pay/confirm.js, which reads
 * the `data-*` attributes of `#confirm`) or a form leading to the provider's authentication
 * page (simulated provider); both end back on this page, which then shows the outcome.
 */
export function renderConfirmState(state: Exclude<ConfirmState, { kind: "not_found" }>): string {
  const amount = formatMinor(state.topup.amount, state.topup.currency);
  if (state.kind === "succeeded") {
    const resumed = state.topup.kind === "auto" ? " Auto top-up is running again." : "";
    return renderMessagePage("Payment confirmed", `Your ${whatOf(state)} of ${amount} is paid; your balance is topped up.${resumed}`, BACK);
  }
  if (state.kind === "failed") {
    return renderMessagePage("Payment not completed", `Your ${whatOf(state)} of ${amount} was not paid: ${state.reason}`, BACK);
  }
  if (state.kind !== "confirm") {
    return renderMessagePage("Payment in progress", `Your ${whatOf(state)} of ${amount} is being processed. Reload this page in a moment.`, BACK);
  }
  const paused = state.topup.kind === "auto" ? " Auto top-up is paused until you do." : "";
  const intro = `<div class="merchant"><span class="logo">B</span>Live Balance</div>
  <h1>Confirm your payment</h1>
  <p>Your bank asks you to confirm the ${whatOf(state)} of <strong data-testid="confirm-amount">${escapeHtml(amount)}</strong>.${paused}</p>
  <p class="error" id="confirm-error" role="alert" hidden></p>`;
  const back = `<p><a class="back" href="${BACK.href}">${BACK.text}</a></p>`;
  const { next } = state;
  if (next.kind === "redirect") {
    return layout(
      "Confirm your payment",
      `<div class="center">${intro}
  <form method="get" action="${escapeHtml(next.url)}"><button class="primary" type="submit" id="confirm-button">Confirm payment</button></form>
  ${back}</div>`,
    );
  }
  if (!next.publishableKey) {
    return renderMessagePage(
      "Payment cannot be confirmed here",
      "Confirming payments is not set up on this service yet (STRIPE_PUBLISHABLE_KEY). Please contact support.",
      BACK,
    );
  }
  return layout(
    "Confirm your payment",
    `<div class="center" id="confirm" data-publishable-key="${escapeHtml(next.publishableKey)}"
  data-client-secret="${escapeHtml(next.clientSecret)}" data-intent-status="${escapeHtml(next.intentStatus)}"
  data-payment-method="${escapeHtml(next.paymentMethodId ?? "")}">${intro}
  <button class="primary" type="button" id="confirm-button">Confirm payment</button>
  ${back}</div>
<script src="${STRIPE_JS_URL}"></script>
<script src="/pay/confirm.js"></script>`,
  );
}
