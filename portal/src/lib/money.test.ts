import { describe, expect, it } from "vitest";
import { formatMoney, parseAmountToMinor } from "./money";

describe("parseAmountToMinor", () => {
  const ok: [string, string, number][] = [
    ["12.50", "EUR", 1250],
    ["12,50", "EUR", 1250],
    ["12", "EUR", 1200],
    ["12.5", "EUR", 1250],
    [",5", "EUR", 50],
    [" 1 234,56 ", "EUR", 123456],
    ["1.234,56", "EUR", 123456],
    ["1,234.56", "EUR", 123456],
    ["1.000", "EUR", 100000], // grouping: three digits after a single separator
    ["1,000,000", "USD", 100000000],
    ["1,000", "JPY", 1000],
    ["1.234", "KWD", 1234], // three minor digits
    ["100000000", "EUR", 10_000_000_000], // MAX_AMOUNT_MINOR
  ];
  it.each(ok)("%s %s -> %i minor units", (input, currency, minor) => {
    expect(parseAmountToMinor(input, currency)).toEqual({ ok: true, amountMinor: minor });
  });

  const rejected: [string, string, string][] = [
    ["", "EUR", "empty"],
    ["0", "EUR", "zero"],
    ["0,00", "EUR", "zero"],
    ["abc", "EUR", "invalid"],
    ["-5", "EUR", "invalid"],
    ["1e3", "EUR", "invalid"],
    ["12.", "EUR", "invalid"],
    ["1.2.3", "EUR", "invalid"],
    ["1,234,56", "EUR", "invalid"],
    ["12.5055", "EUR", "too_many_decimals"],
    ["12.5", "JPY", "too_many_decimals"],
    ["100000000.01", "EUR", "too_large"],
    ["99999999999999999999", "EUR", "too_large"],
  ];
  it.each(rejected)("%s %s -> %s", (input, currency, reason) => {
    expect(parseAmountToMinor(input, currency)).toEqual({ ok: false, reason });
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
