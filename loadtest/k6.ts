import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Path of the k6 binary with k6/x/sse, built by loadtest/build-k6.sh on first use and
 * cached under .cache/bin. @throws Error when the build fails.
 */
export function buildK6(): string {
  const built = spawnSync("bash", ["loadtest/build-k6.sh"], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  if (built.status !== 0) throw new Error("building k6 failed (see above)");
  return resolve(built.stdout.trim());
}

/** Percentiles k6 reports in its end-of-test summary and summary export. */
export const TREND_STATS = "--summary-trend-stats=avg,med,p(90),p(99),max";

/**
 * Starts `k6 run <args>` with `env` added to this process' environment (k6 reads it as
 * __ENV); its stdout (the summary) goes to ours unless `showSummary` is false, stderr
 * always. `exited` resolves with k6's exit code (99: a threshold was crossed).
 */
export function startK6(k6: string, args: string[], env: Record<string, string>, showSummary = true) {
  // --address: a free port for k6's REST API, so two k6 can run at once (bench: SSE holder + load)
  const child = spawn(k6, ["run", "--quiet", "--address=127.0.0.1:0", TREND_STATS, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", showSummary ? "inherit" : "ignore", "inherit"],
  });
  const exited = new Promise<number>((done) => child.once("exit", (code) => done(code ?? 1)));
  return { child, exited };
}

/** startK6 and wait: resolves with k6's exit code. */
export function runK6(k6: string, args: string[], env: Record<string, string>, showSummary = true): Promise<number> {
  return startK6(k6, args, env, showSummary).exited;
}

/** Throughput and latency of one k6 run, from its --summary-export file. */
export interface K6Result {
  /** Requests per second over the run. */
  rps: number;
  /** Latency percentiles of the named requests, ms. */
  p50Ms: number;
  p99Ms: number;
  /** Share of failed requests, 0..1. */
  failedRate: number;
  /** Requests made over the run (all names). */
  requests: number;
}

/** Reads a `--summary-export` JSON; `trend` is the duration metric, e.g. `http_req_duration{name:debit}`. */
export function readK6Summary(file: string, trend = "http_req_duration"): K6Result {
  const { metrics } = JSON.parse(readFileSync(file, "utf8")) as { metrics: Record<string, Record<string, number>> };
  const duration = metrics[trend] ?? metrics.http_req_duration!;
  return {
    rps: metrics.http_reqs?.rate ?? 0,
    p50Ms: duration.med ?? 0,
    p99Ms: duration["p(99)"] ?? 0,
    failedRate: metrics.http_req_failed?.value ?? 0,
    requests: metrics.http_reqs?.count ?? 0,
  };
}
