import { createHash } from "node:crypto";
import { formatMinor } from "../../../db/currency";
import type { SimulatedCheckout } from "../../payments/simulated";
import type { CheckoutLocale } from "../../payments/provider";
import { TEST_CARDS } from "../../payments/test-cards";
import { checkoutTexts, translateCardMessage } from "./texts";

/**
 * Server-rendered HTML of the simulated checkout (server/payments/simulated.ts),
 * styled after Stripe Checkout. Every interpolated value goes through `escapeHtml`.
 */

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch]!);
}

const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** The card hints' click-to-fill: the page's only inline script, allowed by its hash in the CSP (routes/checkout/index.ts). */
export const CARD_HINTS_SCRIPT = `document.querySelectorAll("[data-card]").forEach(function(el){el.addEventListener("click",function(){var i=document.getElementById("card");i.value=el.textContent;i.focus();});});`;

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1a1f36;background:#fff}
.wrap{display:flex;min-height:100vh;flex-wrap:wrap}
.summary{flex:1 1 380px;background:#f6f9fc;padding:48px 56px;border-right:1px solid #e3e8ee}
.pay{flex:1 1 420px;padding:48px 56px;max-width:560px}
.back{color:#697386;text-decoration:none;font-size:14px;display:inline-flex;align-items:center;gap:6px}
.back:hover{color:#1a1f36}
.merchant{display:flex;align-items:center;gap:10px;margin:24px 0 32px;font-weight:600}
.logo{width:28px;height:28px;border-radius:50%;background:#635bff;color:#fff;display:grid;place-items:center;font-size:14px}
.badge{font-size:11px;font-weight:700;letter-spacing:.04em;color:#b54708;background:#fef0c7;border-radius:4px;padding:2px 6px}
.label{color:#697386;font-size:16px;margin:0}
.amount{font-size:36px;font-weight:600;margin:4px 0 0;letter-spacing:-.02em}
h1{font-size:20px;font-weight:600;margin:0 0 20px}
label{display:block;font-size:13px;color:#3c4257;margin:16px 0 6px;font-weight:500}
.group{border:1px solid #e0e6eb;border-radius:6px;box-shadow:0 1px 1px rgba(0,0,0,.03)}
input[type=text]{width:100%;font:inherit;padding:10px 12px;border:1px solid #e0e6eb;border-radius:6px;outline:none;background:#fff}
input[type=text]:focus{box-shadow:0 0 0 3px rgba(99,91,255,.25)}
.group input[type=text]{border:0;border-radius:0}
.row{display:flex;border-top:1px solid #e0e6eb}.row input[type=text]+input[type=text]{border-left:1px solid #e0e6eb}
.error{color:#df1b41;background:#fff5f7;border:1px solid #fbd3dc;border-radius:6px;padding:10px 12px;margin:16px 0 0;font-size:14px}
button.primary{width:100%;margin-top:24px;padding:12px;font:inherit;font-weight:600;color:#fff;background:#635bff;border:0;border-radius:6px;cursor:pointer;box-shadow:0 1px 2px rgba(0,0,0,.1)}
button.primary:hover{background:#5851e5}
button.secondary{width:100%;margin-top:12px;padding:12px;font:inherit;font-weight:600;color:#1a1f36;background:#fff;border:1px solid #e0e6eb;border-radius:6px;cursor:pointer}
.hints{margin-top:28px;border-top:1px solid #e3e8ee;padding-top:16px;font-size:13px;color:#697386}
.hints ul{list-style:none;padding:0;margin:8px 0 0}.hints li{display:flex;justify-content:space-between;gap:12px;padding:4px 0}
.hints code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;color:#1a1f36;background:none;border:0;padding:0;cursor:pointer}
.foot{margin-top:28px;font-size:12px;color:#a3acb9;text-align:center}
.center{max-width:440px;margin:10vh auto;padding:32px;border:1px solid #e3e8ee;border-radius:8px;box-shadow:0 8px 24px rgba(50,50,93,.08)}
.center p{color:#3c4257}.center .merchant{margin-top:0}
`;

/** The CSP source that allows exactly the pages' one inline `<style>` (its SHA-256), so no 'unsafe-inline' is needed. */
export const STYLE_CSP_SOURCE = `'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`;

/** A whole HTML page around `body` with the shared style; `title` is escaped, `body` is trusted HTML. */
export function layout(title: string, body: string, locale: CheckoutLocale = "en"): string {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/**
 * The payment form: amount summary, card fields (number, expiry and CVC, checked on
 * submit as in Stripe test mode: payments/card-input.ts), the test cards as hints,
 * and `error` (e.g. "Your card was declined.") above the Pay button.
 */
export function renderCheckoutPage(checkout: SimulatedCheckout, error?: string): string {
  const t = checkoutTexts(checkout.locale);
  const amount = formatMinor(checkout.amount, checkout.currency, checkout.locale);
  const setup = checkout.mode === "setup";
  const action = setup ? t.saveCard : t.pay(amount);
  const hints = TEST_CARDS.map(
    (c) =>
      `<li><code data-card="${c.number}" title="${escapeHtml(t.useCard)}">${c.number.replace(/(\d{4})(?=\d)/g, "$1 ")}</code><span>${escapeHtml(t.cards[c.label] ?? c.label)}</span></li>`,
  ).join("");
  return layout(
    action,
    `<div class="wrap">
<section class="summary">
  <a class="back" href="${escapeHtml(checkout.cancelUrl)}">&larr; ${escapeHtml(t.cancel)}</a>
  <div class="merchant"><span class="logo">B</span>Live Balance <span class="badge">${t.testMode}</span></div>
  <p class="label">${escapeHtml(setup ? t.saveLabel : t.topupLabel)}</p>
  ${setup ? "" : `<p class="amount" data-testid="amount">${escapeHtml(amount)}</p>`}
</section>
<section class="pay">
  <h1>${escapeHtml(setup ? t.saveTitle : t.payTitle)}</h1>
  <form method="post" autocomplete="off">
    <label for="card">${escapeHtml(t.cardInformation)}</label>
    <div class="group">
      <input type="text" id="card" name="card" inputmode="numeric" placeholder="1234 1234 1234 1234" autofocus required>
      <div class="row"><input type="text" id="expiry" name="expiry" inputmode="numeric" placeholder="${escapeHtml(t.expiryPlaceholder)}" aria-label="${escapeHtml(t.expiry)}" required><input type="text" id="cvc" name="cvc" inputmode="numeric" placeholder="CVC" aria-label="${escapeHtml(t.cvc)}" required></div>
    </div>
    ${error ? `<p class="error" role="alert" data-testid="card-error">${escapeHtml(translateCardMessage(error, checkout.locale))}</p>` : ""}
    <button class="primary" type="submit">${escapeHtml(action)}</button>
  </form>
  <div class="hints">${escapeHtml(t.hints)}<ul>${hints}</ul></div>
  <p class="foot">${escapeHtml(t.foot)}</p>
</section>
</div>
<script>${CARD_HINTS_SCRIPT}</script>`,
    checkout.locale,
  );
}

/** The simulated 3-D Secure step: two buttons posting the card back with `authentication=complete|fail`. */
export function renderAuthenticationPage(
  payment: { amount: number; currency: string; locale?: CheckoutLocale },
  card?: { card: string; expiry: string },
): string {
  const locale = payment.locale ?? "en";
  const t = checkoutTexts(locale);
  const amount = formatMinor(payment.amount, payment.currency, locale);
  return layout(
    t.authTitle,
    `<div class="center">
  <div class="merchant"><span class="logo">B</span>3-D Secure <span class="badge">${t.testMode}</span></div>
  <h1>${escapeHtml(t.authTitle)}</h1>
  <p>${t.authBody(escapeHtml(amount))}</p>
  <form method="post">
    ${card ? `<input type="hidden" name="card" value="${escapeHtml(card.card)}"><input type="hidden" name="expiry" value="${escapeHtml(card.expiry)}">` : ""}
    <button class="primary" type="submit" name="authentication" value="complete">${escapeHtml(t.authComplete)}</button>
    <button class="secondary" type="submit" name="authentication" value="fail">${escapeHtml(t.authFail)}</button>
  </form>
</div>`,
    locale,
  );
}

/** A plain message page (session expired, unknown session). */
export function renderMessagePage(
  title: string,
  message: string,
  link?: { href: string; text: string },
  locale: CheckoutLocale = "en",
): string {
  return layout(
    title,
    `<div class="center"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${
      link ? `<p><a class="back" href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : ""
    }</div>`,
    locale,
  );
}
