import { EventEmitter } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordJobOutcomes } from "../../server/metrics/worker-events";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { readSse } from "../sse/sse-reader";
import { sampleValue } from "../../loadtest/prometheus-text";
import { lintMetrics } from "./promlint";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const scrape = async () => {
  const res = await ctx.request("GET", "/metrics");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return res.text();
};
const debit = (apiKey: string, amount: number) => ctx.request("POST", "/api/v1/usage", { apiKey, body: { amount } });
const usage = (status: string) => ({ method: "POST", route: "/api/v1/usage", status });

describe("GET /metrics", () => {
  it("counts debits in the request histogram and the ledger counters, and rejections by reason", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 100);
    const before = await scrape();

    for (const amount of [10, 20, 30]) expect((await debit(c.apiKey, amount)).status).toBe(201);
    expect((await debit(c.apiKey, 1_000)).status).toBe(402);

    const after = await scrape();
    const delta = (name: string, labels?: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta("http_request_duration_seconds_count", usage("201"))).toBe(3);
    expect(delta("http_request_duration_seconds_count", usage("402"))).toBe(1);
    expect(delta("http_request_duration_seconds_bucket", { ...usage("201"), le: "+Inf" })).toBe(3);
    expect(delta("http_request_duration_seconds_sum", usage("201"))).toBeGreaterThan(0);
    expect(delta("ledger_entries_posted_total", { type: "usage" })).toBe(3);
    expect(delta("ledger_rejections_total", { route: "/api/v1/usage", reason: "insufficient_funds" })).toBe(1);
  });

  it("raises the SSE gauge while a stream is open, observes the commit-to-write delay, and lowers the gauge on close", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 100);
    const base = await scrape();
    const openBefore = sampleValue(base, "sse_connections_open");
    const delaysBefore = sampleValue(base, "sse_event_publish_to_write_seconds_count");

    const sse = readSse(await ctx.request("GET", "/api/v1/events", { cookie: c.cookie }));
    expect((await sse.next()).event).toBe("snapshot");
    expect(sampleValue(await scrape(), "sse_connections_open")).toBe(openBefore + 1);

    expect((await debit(c.apiKey, 5)).status).toBe(201);
    expect((await sse.next()).event).toBe("balance");
    expect(sampleValue(await scrape(), "sse_event_publish_to_write_seconds_count")).toBe(delaysBefore + 1);

    await sse.close();
    await expect.poll(async () => sampleValue(await scrape(), "sse_connections_open")).toBe(openBefore);
  });

  it("shows the database pool size and the service's connections by state", async () => {
    const text = await scrape();
    expect(sampleValue(text, "db_pool_max")).toBe(30);
    // the scrape's own query is running while pg_stat_activity is read
    expect(sampleValue(text, "db_connections", { state: "active" })).toBeGreaterThanOrEqual(1);
  });

  it("counts graphile-worker job outcomes by task", async () => {
    const events = new EventEmitter();
    recordJobOutcomes(events, ctx.deps.metrics);
    const job = { task_identifier: "auto_topup" };
    events.emit("job:success", { job });
    events.emit("job:error", { job });
    events.emit("job:error", { job });
    events.emit("job:failed", { job });

    const text = await scrape();
    expect(sampleValue(text, "worker_jobs_total", { task: "auto_topup", outcome: "success" })).toBe(1);
    expect(sampleValue(text, "worker_jobs_total", { task: "auto_topup", outcome: "error" })).toBe(2);
    expect(sampleValue(text, "worker_jobs_total", { task: "auto_topup", outcome: "failed" })).toBe(1);
  });

  it("does not count a 404 (a missing hold, top-up or account) as a ledger rejection", async () => {
    const c = await newCustomer(ctx);
    const before = await scrape();
    const capture = await ctx.request("POST", "/api/v1/holds/hold_missing/capture", { apiKey: c.apiKey, body: { amount: 1 } });
    expect(capture.status).toBe(404);
    const after = await scrape();
    const labels = { route: "/api/v1/holds/:id/capture", reason: "not_found" };
    expect(sampleValue(after, "ledger_rejections_total", labels) - sampleValue(before, "ledger_rejections_total", labels)).toBe(0);
  });

  it("passes the checks of `promtool check metrics`", async () => {
    expect(lintMetrics(await scrape())).toEqual([]);
  });
});

describe("lintMetrics (promtool check metrics' rules)", () => {
  it("reports what promtool reports", () => {
    const text = [
      "# HELP nodejs_active_handles_total Total number of active handles.",
      "# TYPE nodejs_active_handles_total gauge",
      "nodejs_active_handles_total 3",
      "# TYPE jobs counter",
      "jobs 1",
      "# HELP request_time_ms Request time.",
      "# TYPE request_time_ms histogram",
      'request_time_ms_bucket{le="+Inf",httpMethod="GET"} 1',
      'request_time_ms_sum{httpMethod="GET"} 1',
      'request_time_ms_count{httpMethod="GET"} 1',
      "# HELP queue_milliseconds Queue time.",
      "# TYPE queue_milliseconds gauge",
      'queue_milliseconds{q="a"} 1',
      'queue_milliseconds{q="a"} 2',
    ].join("\n");
    expect(lintMetrics(text)).toEqual([
      { metric: "jobs", text: 'counter metrics should have "_total" suffix' },
      { metric: "jobs", text: "no help text" },
      { metric: "nodejs_active_handles_total", text: 'non-counter metrics should not have "_total" suffix' },
      { metric: "queue_milliseconds", text: "metric not unique" },
      { metric: "queue_milliseconds", text: 'use base unit "seconds" instead of "milliseconds"' },
      { metric: "request_time_ms", text: "label names should be written in 'snake_case' not 'camelCase'" },
      { metric: "request_time_ms", text: "metric names should not contain abbreviated units" },
    ]);
  });
});
