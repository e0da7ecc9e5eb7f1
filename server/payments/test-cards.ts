/** The simulated provider's test cards (shared/DESIGN.md "Top-ups and payments"), shared by checkout and off-session charges. */

/** What a test card does (Stripe's test cards: docs.stripe.com/testing). */
export interface TestCard {
  number: string;
  label: string;
  behaviour: "succeeds" | "declined" | "authenticate";
  /** Checkout succeeds and saves the card, but later off-session charges on it are declined. */
  offSessionDeclines: boolean;
}

/** The four test cards the checkout page accepts (shared/DESIGN.md); any other number is invalid. */
export const TEST_CARDS: readonly TestCard[] = [
  { number: "4242424242424242", label: "Succeeds", behaviour: "succeeds", offSessionDeclines: false },
  { number: "4000000000000002", label: "Declined", behaviour: "declined", offSessionDeclines: false },
  { number: "4000002500003155", label: "Requires authentication (3-D Secure)", behaviour: "authenticate", offSessionDeclines: false },
  { number: "4000000000000341", label: "Succeeds; later charges on it are declined", behaviour: "succeeds", offSessionDeclines: true },
];

/** Stripe's customer-facing messages for the failures we simulate. */
export const CARD_MESSAGES = {
  declined: "Your card was declined.",
  invalid: "Your card number is invalid.",
  authenticationFailed:
    "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
} as const;
