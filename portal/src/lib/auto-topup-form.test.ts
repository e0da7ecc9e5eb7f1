import { describe, expect, it } from "vitest";
import { checkAutoTopupFields, type AutoTopupFields } from "./auto-topup-form";

const base: AutoTopupFields = {
  enabled: true,
  threshold: "10",
  mode: "amount",
  amount: "20",
  target: "50",
  cap: "",
  paymentMethodId: "",
  cooldown: "60",
};

describe("checkAutoTopupFields", () => {
  it("a cooldown of 'abc' is refused instead of saved as 0", () => {
    const check = checkAutoTopupFields({ ...base, cooldown: "abc" }, "EUR", "en");
    expect(check).toEqual({ ok: false, errors: { cooldown: expect.stringMatching(/whole minutes/) } });
  });

  it("refuses a negative, fractional or too long cooldown", () => {
    for (const cooldown of ["-5", "1.5", "43201", ""]) {
      expect(checkAutoTopupFields({ ...base, cooldown }, "EUR", "en").ok).toBe(false);
    }
  });

  it("a fixed amount: target and cap null, amounts in minor units by the UI language", () => {
    expect(checkAutoTopupFields({ ...base, threshold: "1.234,50", amount: "20,50" }, "EUR", "de")).toEqual({
      ok: true,
      input: { enabled: true, threshold: 123450, amount: 2050, targetBalance: null, paymentMethodId: null, cooldownMinutes: 60, monthlyCap: null },
    });
  });

  it("a target balance keeps the mode (no silent switch to a fixed amount), with a cap and a card", () => {
    expect(checkAutoTopupFields({ ...base, mode: "target", target: "75", cap: "200", paymentMethodId: "pm_1" }, "EUR", "en")).toEqual({
      ok: true,
      input: { enabled: true, threshold: 1000, amount: null, targetBalance: 7500, paymentMethodId: "pm_1", cooldownMinutes: 60, monthlyCap: 20000 },
    });
  });

  it("names every bad field at once, in money: minimum amount, target not above threshold, ambiguous cap", () => {
    const amount = checkAutoTopupFields({ ...base, amount: "0.50" }, "EUR", "en");
    expect(amount).toEqual({ ok: false, errors: { amount: "Minimum €1.00." } });
    const target = checkAutoTopupFields({ ...base, mode: "target", target: "5", cap: "1.000" }, "EUR", "en");
    expect(target).toEqual({ ok: false, errors: { target: expect.stringMatching(/above the threshold/), cap: expect.stringMatching(/decimal point or a thousands/) } });
  });

  it("a threshold of zero is allowed", () => {
    const check = checkAutoTopupFields({ ...base, threshold: "0" }, "EUR", "en");
    expect(check.ok && check.input.threshold).toBe(0);
  });
});
