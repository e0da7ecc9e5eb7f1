/**
 * The confirm page's script, served from our origin as /pay/confirm.js (no inline script, so
 * the page's Content-Security-Policy needs no 'unsafe-inline'). It reads the payment from the
 * `#confirm` element's data attributes and, on "Confirm payment", completes it with Stripe.js
 * (loaded before it from https://js.stripe.com/v3, as Stripe requires):
 * `stripe.handleNextAction` when the intent is `requires_action`, else
 * `stripe.confirmCardPayment(clientSecret, { payment_method })` (an off-session
 * `authentication_required` decline leaves it `requires_payment_method`; docs.stripe.com/js).
 * Stripe.js shows the bank's 3-D Secure challenge in its own frame. Then the page reloads:
 * the server reads the intent again and shows (and applies) the outcome. An error is shown
 * (Stripe.js's message, in the page's language when Stripe.js has it, else `data-error-text`)
 * and the button enabled again, so the customer can retry.
 */
export const CONFIRM_SCRIPT = `(function () {
  "use strict";
  var box = document.getElementById("confirm");
  var button = document.getElementById("confirm-button");
  var error = document.getElementById("confirm-error");
  if (!box || !button || !error || typeof Stripe !== "function") return;
  var stripe = Stripe(box.dataset.publishableKey);
  var secret = box.dataset.clientSecret;
  button.addEventListener("click", function () {
    button.disabled = true;
    error.hidden = true;
    var card = box.dataset.paymentMethod;
    var done = box.dataset.intentStatus === "requires_action"
      ? stripe.handleNextAction({ clientSecret: secret })
      : stripe.confirmCardPayment(secret, card ? { payment_method: card } : {});
    done.then(function (result) {
      if (result.error) {
        error.textContent = result.error.message || box.dataset.errorText;
        error.hidden = false;
        button.disabled = false;
        return;
      }
      window.location.reload();
    });
  });
})();
`;
