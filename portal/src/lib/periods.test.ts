import { describe, expect, it } from "vitest";
import { currentPeriod, formatPeriod } from "./periods";

describe("statement periods", () => {
  it("takes the month in UTC, as the server does", () => {
    expect(currentPeriod(new Date("2027-01-01T00:30:00+02:00"))).toBe("2026-12");
  });

  it("names a month in the UI language", () => {
    expect(formatPeriod("2026-03", "de")).toBe("März 2026");
    expect(formatPeriod("2026-12", "en")).toBe("December 2026");
  });
});
