/**
 * Checks of the card fields typed on the simulated checkout page, as Stripe's card
 * element does in test mode (docs.stripe.com/testing: "any valid future date", "any
 * three-digit CVC (four digits for American Express)"). Messages are Stripe's.
 */

/** A card expiry: month 1-12 and four-digit year. */
export interface CardExpiry {
  month: number;
  year: number;
}

/** Stripe's messages for bad expiry and CVC input. */
export const CARD_INPUT_MESSAGES = {
  expiryIncomplete: "Your card's expiration date is incomplete.",
  expiryInvalid: "Your card's expiration month is invalid.",
  expiryPast: "Your card's expiration date is in the past.",
  cvcIncomplete: "Your card's security code is incomplete.",
} as const;

/** The result of a check: the parsed value, or one of CARD_INPUT_MESSAGES. */
export type CheckResult<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Parses "MM/YY" (spaces around the slash allowed, "MM / YY" as the page's placeholder;
 * "MMYY" too). A card is valid through the last day of its expiry month, so the current
 * month is accepted. `now` is for tests.
 */
export function checkExpiry(input: string, now: Date = new Date()): CheckResult<CardExpiry> {
  const match = /^(\d{2})\s*\/?\s*(\d{2})$/.exec(input.trim());
  if (!match) return { ok: false, message: CARD_INPUT_MESSAGES.expiryIncomplete };
  const month = Number(match[1]);
  if (month < 1 || month > 12) return { ok: false, message: CARD_INPUT_MESSAGES.expiryInvalid };
  const year = 2000 + Number(match[2]);
  const current = now.getUTCFullYear() * 12 + now.getUTCMonth() + 1;
  if (year * 12 + month < current) return { ok: false, message: CARD_INPUT_MESSAGES.expiryPast };
  return { ok: true, value: { month, year } };
}

/** True for an American Express number (starts 34 or 37), whose CVC has four digits. */
const isAmex = (cardNumber: string) => /^3[47]/.test(cardNumber);

/** Checks the CVC: exactly 3 digits, 4 for American Express. */
export function checkCvc(input: string, cardNumber: string): CheckResult<string> {
  const digits = isAmex(cardNumber) ? 4 : 3;
  const cvc = input.trim();
  return new RegExp(`^\\d{${digits}}$`).test(cvc) ? { ok: true, value: cvc } : { ok: false, message: CARD_INPUT_MESSAGES.cvcIncomplete };
}
