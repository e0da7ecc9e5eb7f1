import { describe, expect, it } from "vitest";
import { CARD_INPUT_MESSAGES, checkCvc, checkExpiry } from "../../server/payments/card-input";

const NOW = new Date("2026-12-02T12:00:00Z");

describe("checkExpiry (Stripe test mode: any valid future date)", () => {
  it("accepts MM/YY with or without spaces and this month", () => {
    expect(checkExpiry("12/26", NOW)).toEqual({ ok: true, value: { month: 12, year: 2026 } });
    expect(checkExpiry(" 03 / 31 ", NOW)).toEqual({ ok: true, value: { month: 3, year: 2031 } });
    expect(checkExpiry("0131", NOW)).toEqual({ ok: true, value: { month: 1, year: 2031 } });
  });
  it("refuses incomplete, invalid and past dates", () => {
    for (const input of ["", "1/27", "12/2", "ab/cd", "12/2027"]) {
      expect(checkExpiry(input, NOW)).toEqual({ ok: false, message: CARD_INPUT_MESSAGES.expiryIncomplete });
    }
    expect(checkExpiry("00/30", NOW)).toEqual({ ok: false, message: CARD_INPUT_MESSAGES.expiryInvalid });
    expect(checkExpiry("11/26", NOW)).toEqual({ ok: false, message: CARD_INPUT_MESSAGES.expiryPast });
  });
});

describe("checkCvc", () => {
  it("wants 3 digits, 4 for American Express", () => {
    expect(checkCvc("123", "4242424242424242").ok).toBe(true);
    expect(checkCvc("1234", "4242424242424242").ok).toBe(false);
    expect(checkCvc("1234", "378282246310005").ok).toBe(true);
    expect(checkCvc("123", "378282246310005").ok).toBe(false);
    expect(checkCvc("", "4242424242424242")).toEqual({ ok: false, message: CARD_INPUT_MESSAGES.cvcIncomplete });
  });
});
