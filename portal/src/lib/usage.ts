/**
 * The dashboard's usage card (GET /usage/summary): the windows it asks for, the daily
 * series per meter for its chart, this month's spend and the runway. Days and months are
 * UTC, as the server's buckets. Amounts are integer minor units throughout.
 */
import type { UsageBucket } from "./api";

const DAY_MS = 86_400_000;
/** Days in the chart, today included. */
export const CHART_DAYS = 30;
/** Days the runway averages over. */
export const RUNWAY_AVERAGE_DAYS = 7;

/** A range for GET /usage/summary: ISO instants, `to` exclusive. */
export interface UsageWindow {
  from: string;
  to: string;
  interval: "day" | "month";
}

/** Midnight UTC of `now`'s day, in ms. */
const utcDay = (now: Date) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());

/**
 * The three summaries the card reads: the chart's CHART_DAYS UTC days by day; this UTC
 * month; the last RUNWAY_AVERAGE_DAYS x 24 h up to now (its `to` is a day ahead, so an entry
 * posted a moment ago under a clock a little ahead of the browser's is counted too).
 */
export function usageWindows(now: Date): { chart: UsageWindow; month: UsageWindow; recent: UsageWindow } {
  const tomorrow = utcDay(now) + DAY_MS;
  return {
    chart: { from: iso(tomorrow - CHART_DAYS * DAY_MS), to: iso(tomorrow), interval: "day" },
    month: {
      from: iso(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
      to: iso(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
      interval: "month",
    },
    recent: { from: iso(now.getTime() - RUNWAY_AVERAGE_DAYS * DAY_MS), to: iso(now.getTime() + DAY_MS), interval: "day" },
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Minor units debited over `buckets` (any meters and intervals). */
export const totalAmount = (buckets: readonly UsageBucket[]): number => buckets.reduce((sum, b) => sum + b.amount, 0);

/** One meter's amounts per chart day (null meter: plain amounts), oldest day first. */
export interface MeterSeries {
  meter: string | null;
  amounts: number[];
}

/**
 * The chart's days (ISO start of each UTC day, oldest first) and one series per meter
 * that debited anything in them, by amount (largest first); days without usage are 0.
 */
export function dailySeries(buckets: readonly UsageBucket[], window: UsageWindow): { days: string[]; series: MeterSeries[] } {
  const start = Date.parse(window.from);
  const days = Array.from({ length: CHART_DAYS }, (_, i) => iso(start + i * DAY_MS));
  const byMeter = new Map<string | null, number[]>();
  for (const b of buckets) {
    const day = Math.round((Date.parse(b.start) - start) / DAY_MS);
    if (day < 0 || day >= CHART_DAYS) continue;
    const amounts = byMeter.get(b.meter) ?? new Array<number>(CHART_DAYS).fill(0);
    amounts[day]! += b.amount;
    byMeter.set(b.meter, amounts);
  }
  const series = [...byMeter].map(([meter, amounts]) => ({ meter, amounts }));
  series.sort((a, b) => sumOf(b.amounts) - sumOf(a.amounts));
  return { days, series: series.filter((s) => sumOf(s.amounts) > 0) };
}

const sumOf = (amounts: number[]) => amounts.reduce((s, a) => s + a, 0);

/**
 * Whole days the available balance lasts at the average daily use of the last
 * RUNWAY_AVERAGE_DAYS days: floor(available / (used / days)), 0 once nothing is available;
 * null when nothing was used (no use, no runway).
 */
export function runwayDays(available: number, usedRecently: number): number | null {
  if (usedRecently <= 0) return null;
  if (available <= 0) return 0;
  return Math.floor((available * RUNWAY_AVERAGE_DAYS) / usedRecently);
}
