import type { ConfirmState } from "../../payments/confirm-payment";
import type { CheckoutLocale } from "../../payments/provider";
import { formatMinor } from "../../../db/currency";
import { escapeHtml, layout, renderMessagePage } from "../checkout/page";
import { translateCardMessage } from "../checkout/texts";
import { STRIPE_JS_URL } from "./csp";
import { confirmTexts } from "./texts";

/**
 * Server-rendered HTML of our confirm page (/pay/confirm/:topupId), in the style of the
 * simulated checkout. Every interpolated value goes through `escapeHtml`.
 */

/** The link back to the portal, in `locale`. */
export const backLink = (locale: CheckoutLocale) => ({ href: "/", text: confirmTexts(locale).back });

/**
 * The page for a confirm state (not `not_found`): the confirm step, or where the payment
 * stands. The confirm step is Stripe.js (its script, then ours, /pay/confirm.js, which reads
 * the `data-*` attributes of `#confirm`) or a form leading to the provider's authentication
 * page (simulated provider); both end back on this page, which then shows the outcome.
 * Words, amounts and the provider's decline reason in `locale` (the signed-in user's).
 */
export function renderConfirmState(state: Exclude<ConfirmState, { kind: "not_found" }>, locale: CheckoutLocale = "en"): string {
  const t = confirmTexts(locale);
  const back = backLink(locale);
  const amount = formatMinor(state.topup.amount, state.topup.currency, locale === "de" ? "de-DE" : "en-GB");
  const auto = state.topup.kind === "auto";
  const what = t.what(auto);
  if (state.kind === "succeeded") return renderMessagePage(t.confirmedTitle, t.confirmed(what, amount, auto), back, locale);
  if (state.kind === "failed") {
    return renderMessagePage(t.failedTitle, t.failed(what, amount, translateCardMessage(state.reason, locale)), back, locale);
  }
  if (state.kind !== "confirm") return renderMessagePage(t.processingTitle, t.processing(what, amount), back, locale);
  const intro = `<div class="merchant"><span class="logo">B</span>Live Balance</div>
  <h1>${escapeHtml(t.confirmTitle)}</h1>
  <p>${t.intro(escapeHtml(what), `<strong data-testid="confirm-amount">${escapeHtml(amount)}</strong>`, auto)}</p>
  <p class="error" id="confirm-error" role="alert" hidden></p>`;
  const backHtml = `<p><a class="back" href="${back.href}">${escapeHtml(back.text)}</a></p>`;
  const button = `<button class="primary" type="%TYPE%" id="confirm-button">${escapeHtml(t.confirmButton)}</button>`;
  const { next } = state;
  if (next.kind === "redirect") {
    return layout(
      t.confirmTitle,
      `<div class="center">${intro}
  <form method="get" action="${escapeHtml(next.url)}">${button.replace("%TYPE%", "submit")}</form>
  ${backHtml}</div>`,
      locale,
    );
  }
  if (!next.publishableKey) return renderMessagePage(t.unconfiguredTitle, t.unconfigured, back, locale);
  return layout(
    t.confirmTitle,
    `<div class="center" id="confirm" data-publishable-key="${escapeHtml(next.publishableKey)}"
  data-client-secret="${escapeHtml(next.clientSecret)}" data-intent-status="${escapeHtml(next.intentStatus)}"
  data-payment-method="${escapeHtml(next.paymentMethodId ?? "")}" data-error-text="${escapeHtml(t.scriptError)}">${intro}
  ${button.replace("%TYPE%", "button")}
  ${backHtml}</div>
<script src="${STRIPE_JS_URL}"></script>
<script src="/pay/confirm.js"></script>`,
    locale,
  );
}
