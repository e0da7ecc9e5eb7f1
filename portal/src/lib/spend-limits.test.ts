import { afterEach, describe, expect, it } from "vitest";
import { baseLocale, overwriteGetLocale } from "./paraglide/runtime.js";
import {
  checkSpendLimitFields,
  describeLimits,
  formatPercent,
  hasLimit,
  limitFieldsOf,
  limitReached,
  usedPercent,
} from "./spend-limits";

afterEach(() => overwriteGetLocale(() => baseLocale));

const usage = { spentToday: 0, spentThisMonth: 0 };

describe("checkSpendLimitFields", () => {
  it("empty fields (also only spaces) are no limit: null, not 0", () => {
    expect(checkSpendLimitFields({ daily: "", monthly: "  " }, "EUR", "en")).toEqual({
      ok: true,
      input: { daily: null, monthly: null },
    });
  });

  it("amounts in major units become exact integer minor units by the UI language's rules", () => {
    expect(checkSpendLimitFields({ daily: "50", monthly: "1,234.56" }, "EUR", "en")).toEqual({
      ok: true,
      input: { daily: 5000, monthly: 123456 },
    });
    expect(checkSpendLimitFields({ daily: "0,01", monthly: "1.234,56" }, "EUR", "de")).toEqual({
      ok: true,
      input: { daily: 1, monthly: 123456 },
    });
    // Values where binary floating point would be off by one cent (0.29 * 100 = 28.999…).
    expect(checkSpendLimitFields({ daily: "0.29", monthly: "1.15" }, "EUR", "en")).toEqual({
      ok: true,
      input: { daily: 29, monthly: 115 },
    });
    // No minor units in JPY; three in KWD.
    expect(checkSpendLimitFields({ daily: "5000", monthly: "" }, "JPY", "en")).toEqual({
      ok: true,
      input: { daily: 5000, monthly: null },
    });
    expect(checkSpendLimitFields({ daily: "1.5", monthly: "" }, "KWD", "en")).toEqual({
      ok: true,
      input: { daily: 1500, monthly: null },
    });
    // The API's largest amount, 10^10 minor units.
    expect(checkSpendLimitFields({ daily: "", monthly: "100000000" }, "EUR", "en")).toEqual({
      ok: true,
      input: { daily: null, monthly: 10_000_000_000 },
    });
  });

  it("zero is refused with a hint that empty means no limit", () => {
    expect(checkSpendLimitFields({ daily: "0", monthly: "0.00" }, "EUR", "en")).toEqual({
      ok: false,
      errors: {
        daily: "Enter more than zero, or leave the field empty for no limit.",
        monthly: "Enter more than zero, or leave the field empty for no limit.",
      },
    });
  });

  it("names every bad field at once: not a number, a negative, too many decimals, ambiguous, too large", () => {
    expect(checkSpendLimitFields({ daily: "abc", monthly: "-5" }, "EUR", "en")).toEqual({
      ok: false,
      errors: { daily: "Enter an amount like 12.50.", monthly: "Enter an amount like 12.50." },
    });
    expect(checkSpendLimitFields({ daily: "1.5", monthly: "" }, "JPY", "en")).toEqual({
      ok: false,
      errors: { daily: "This currency has no decimal places." },
    });
    expect(checkSpendLimitFields({ daily: "12.345", monthly: "1.000" }, "EUR", "en")).toEqual({
      ok: false,
      errors: {
        daily: expect.stringMatching(/decimal point or a thousands/),
        monthly: expect.stringMatching(/decimal point or a thousands/),
      },
    });
    expect(checkSpendLimitFields({ daily: "", monthly: "100000000.01" }, "EUR", "en")).toEqual({
      ok: false,
      errors: { monthly: "Maximum €100,000,000.00." },
    });
    expect(checkSpendLimitFields({ daily: "9".repeat(40), monthly: "" }, "EUR", "en")).toEqual({
      ok: false,
      errors: { daily: "Maximum €100,000,000.00." },
    });
  });

  it("errors are in the UI language", () => {
    overwriteGetLocale(() => "de");
    expect(checkSpendLimitFields({ daily: "0", monthly: "" }, "EUR", "de")).toEqual({
      ok: false,
      errors: { daily: "Geben Sie mehr als null ein, oder lassen Sie das Feld leer, wenn es kein Limit geben soll." },
    });
  });
});

describe("limitFieldsOf", () => {
  it("saved limits fill the form in the user's notation and read back to the same minor units", () => {
    const limits = { daily: 5000, monthly: null };
    expect(limitFieldsOf(limits, "EUR")).toEqual({ daily: "50.00", monthly: "" });
    expect(checkSpendLimitFields(limitFieldsOf(limits, "EUR"), "EUR", "en")).toEqual({ ok: true, input: limits });
    overwriteGetLocale(() => "de");
    const big = { daily: 123456, monthly: 10_000_000_000 };
    expect(limitFieldsOf(big, "EUR")).toEqual({ daily: "1234,56", monthly: "100000000,00" });
    expect(checkSpendLimitFields(limitFieldsOf(big, "EUR"), "EUR", "de")).toEqual({ ok: true, input: big });
  });
});

describe("usage against a limit", () => {
  it("usedPercent: whole percent rounded down, 100 only when reached, never above 100", () => {
    expect(usedPercent(0, 5000)).toBe(0);
    expect(usedPercent(1200, 5000)).toBe(24);
    expect(usedPercent(4999, 5000)).toBe(99);
    expect(usedPercent(5000, 5000)).toBe(100);
    expect(usedPercent(7000, 5000)).toBe(100);
    expect(usedPercent(1, 10_000_000_000)).toBe(0);
  });

  it("limitReached: usage of the day or the month at its limit; no limit is never reached", () => {
    expect(limitReached({ daily: null, monthly: null, spentToday: 10 ** 9, spentThisMonth: 10 ** 9 })).toBe(false);
    expect(limitReached({ daily: 500, monthly: null, spentToday: 499, spentThisMonth: 499 })).toBe(false);
    expect(limitReached({ daily: 500, monthly: null, spentToday: 500, spentThisMonth: 500 })).toBe(true);
    expect(limitReached({ daily: null, monthly: 1000, spentToday: 0, spentThisMonth: 1000 })).toBe(true);
    expect(hasLimit({ daily: null, monthly: null })).toBe(false);
    expect(hasLimit({ daily: null, monthly: 1 })).toBe(true);
  });

  it("formatPercent follows the locale", () => {
    expect(formatPercent(24, "en")).toBe("24%");
    expect(formatPercent(24, "de").replace(/\s/g, " ")).toBe("24 %");
  });
});

describe("describeLimits", () => {
  it("says both limits in one line, in English", () => {
    expect(describeLimits({ daily: 5000, monthly: null, ...usage }, "EUR")).toBe("€50.00 / day · no monthly limit");
    expect(describeLimits({ daily: null, monthly: 50000, ...usage }, "EUR")).toBe("No daily limit · €500.00 / month");
    expect(describeLimits({ daily: 500, monthly: 10000, ...usage }, "USD")).toBe("$5.00 / day · $100.00 / month");
    expect(describeLimits({ daily: null, monthly: null, ...usage }, "EUR")).toBe("No spend limits");
  });

  it("and in German", () => {
    overwriteGetLocale(() => "de");
    const plain = (s: string) => s.replace(/\s/g, " ");
    expect(plain(describeLimits({ daily: 5000, monthly: null, ...usage }, "EUR"))).toBe(
      "50,00 € pro Tag · kein Monatslimit",
    );
    expect(plain(describeLimits({ daily: null, monthly: 123456, ...usage }, "EUR"))).toBe(
      "Kein Tageslimit · 1.234,56 € pro Monat",
    );
    expect(describeLimits({ daily: null, monthly: null, ...usage }, "EUR")).toBe("Keine Ausgabenlimits");
  });
});
