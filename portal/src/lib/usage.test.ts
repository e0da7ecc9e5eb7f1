import { describe, expect, it } from "vitest";
import { dailySeries, runwayDays, usageWindows } from "./usage";

describe("dashboard usage", () => {
  const now = new Date("2026-12-03T10:15:00Z");

  it("asks for 30 UTC days by day, this UTC month and the last 7 x 24 h", () => {
    expect(usageWindows(now)).toEqual({
      chart: { from: "2026-11-04T00:00:00.000Z", to: "2026-12-04T00:00:00.000Z", interval: "day" },
      month: { from: "2026-12-01T00:00:00.000Z", to: "2027-01-01T00:00:00.000Z", interval: "month" },
      recent: { from: "2026-11-26T10:15:00.000Z", to: "2026-12-04T10:15:00.000Z", interval: "day" },
    });
  });

  it("spreads buckets over the 30 days per meter, largest meter first, empty days 0", () => {
    const { chart } = usageWindows(now);
    const { days, series } = dailySeries(
      [
        { start: "2026-11-04T00:00:00.000Z", meter: null, quantity: null, amount: 5 },
        { start: "2026-12-03T00:00:00.000Z", meter: "tokens", quantity: "100", amount: 40 },
        { start: "2026-12-03T00:00:00.000Z", meter: null, quantity: null, amount: 1 },
        { start: "2026-12-02T00:00:00.000Z", meter: "zero", quantity: "0.1", amount: 0 },
      ],
      chart,
    );
    expect(days).toHaveLength(30);
    expect(days[29]).toBe("2026-12-03T00:00:00.000Z");
    expect(series.map((s) => s.meter)).toEqual(["tokens", null]);
    expect(series[0]!.amounts[29]).toBe(40);
    expect(series[1]!.amounts.filter((a) => a > 0)).toEqual([5, 1]);
  });

  it("runway: whole days at the last 7 days' average, none without use, 0 when nothing is left", () => {
    expect(runwayDays(10_000, 7_000)).toBe(10); // 1 000 a day
    expect(runwayDays(10_999, 7_000)).toBe(10);
    expect(runwayDays(10_000, 0)).toBeNull();
    expect(runwayDays(-50, 700)).toBe(0);
  });
});
