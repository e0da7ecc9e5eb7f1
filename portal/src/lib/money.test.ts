import { describe, expect, it } from "vitest";
import { formatMoney, parseAmountToMinor } from "./money";

describe("parseAmountToMinor by the UI language's rules", () => {
  const ok: [string, string, string, number][] = [
    ["12.50", "EUR", "en", 1250],
    ["12,50", "EUR", "de", 1250],
    ["12", "EUR", "en", 1200],
    ["12.5", "EUR", "en", 1250],
    [".5", "EUR", "en", 50],
    [",5", "EUR", "de", 50],
    ["1,234.56", "EUR", "en", 123456],
    ["1.234,56", "EUR", "de", 123456],
    [" 1 234,56 ", "EUR", "de", 123456],
    ["1,000", "EUR", "en", 100000], // English grouping
    ["1.000", "EUR", "de", 100000], // German grouping
    ["10.999", "EUR", "de", 1099900],
    ["1,000,000", "USD", "en-US", 100000000],
    ["1,000", "JPY", "en", 1000],
    ["1.234", "KWD", "en", 1234], // three minor digits: a decimal, not grouping
    ["1’234.50", "CHF", "de-CH", 123450],
    ["100000000", "EUR", "en", 10_000_000_000], // MAX_AMOUNT_MINOR
  ];
  it.each(ok)("%s %s (%s) -> %i minor units", (input, currency, locale, minor) => {
    expect(parseAmountToMinor(input, currency, locale)).toEqual({ ok: true, amountMinor: minor });
  });

  const rejected: [string, string, string, string][] = [
    ["", "EUR", "en", "empty"],
    ["0", "EUR", "en", "zero"],
    ["0,00", "EUR", "de", "zero"],
    ["abc", "EUR", "en", "invalid"],
    ["-5", "EUR", "en", "invalid"],
    ["1e3", "EUR", "en", "invalid"],
    ["12.", "EUR", "en", "invalid"],
    ["1.2.3", "EUR", "en", "invalid"],
    ["12,50", "EUR", "en", "invalid"], // a German decimal in the English UI
    ["12.50", "EUR", "de", "invalid"], // an English decimal in the German UI
    ["1,234,56", "EUR", "en", "invalid"],
    ["10.999", "EUR", "en", "ambiguous"], // was 10,999.00 before
    ["1.000", "EUR", "en", "ambiguous"], // was 1,000.00 before
    ["1,000", "EUR", "de", "ambiguous"],
    ["12.5055", "EUR", "en", "too_many_decimals"],
    ["12.5", "JPY", "en", "too_many_decimals"],
    ["100000000.01", "EUR", "en", "too_large"],
    ["99999999999999999999", "EUR", "en", "too_large"],
  ];
  it.each(rejected)("%s %s (%s) -> %s", (input, currency, locale, reason) => {
    expect(parseAmountToMinor(input, currency, locale)).toEqual({ ok: false, reason });
  });
});

describe("formatMoney", () => {
  it("formats minor units with the currency's digits", () => {
    expect(formatMoney(2500, "EUR", { locale: "de-DE" })).toBe("25,00\u00a0€");
    expect(formatMoney(2500, "EUR", { locale: "en-US" })).toBe("€25.00");
    expect(formatMoney(1000, "JPY", { locale: "en-US" })).toBe("¥1,000");
    expect(formatMoney(1234, "KWD", { locale: "en-US" })).toBe("KWD\u00a01.234");
  });

  it("signs ledger amounts and compacts whole amounts", () => {
    expect(formatMoney(-120, "EUR", { locale: "en-US", signed: true })).toBe("-€1.20");
    expect(formatMoney(120, "EUR", { locale: "en-US", signed: true })).toBe("+€1.20");
    expect(formatMoney(1000, "EUR", { locale: "en-US", compact: true })).toBe("€10");
    expect(formatMoney(1050, "EUR", { locale: "en-US", compact: true })).toBe("€10.50");
  });
});
