// Shared by the k6 scenarios (run by k6, not Node). Environment, set by loadtest/run.ts:
// BASE_URL, SEED_FILE (JSON [{accountId, apiKey, cookie}]); tunables documented per scenario.
import http from "k6/http";
import { check } from "k6";
import { SharedArray } from "k6/data";

export const BASE_URL = __ENV.BASE_URL || "http://127.0.0.1:3918";

/** The seeded accounts, shared read-only by all VUs (none without SEED_FILE). */
export const accounts = new SharedArray("accounts", () => (__ENV.SEED_FILE ? JSON.parse(open(__ENV.SEED_FILE)) : []));

/** A number from the environment, or `fallback`. */
export const envNumber = (name, fallback) => (__ENV[name] ? Number(__ENV[name]) : fallback);

/** Debits `amountMinor` from `account` through POST /api/v1/usage; checks the 201. */
export function debit(account, amountMinor = 1) {
  const res = http.post(`${BASE_URL}/api/v1/usage`, JSON.stringify({ amount: amountMinor }), {
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${account.apiKey}` },
    tags: { name: "debit" },
  });
  check(res, { "debit 201": (r) => r.status === 201 });
  return res;
}

/**
 * Thresholds of the debit scenarios: < 1 % failed requests and checks, p99 of `name`
 * under `p99Ms`, and at least `minRps` requests per second (a throughput regression
 * fails the run too). Defaults are set ~2x from runs on the 2-core reference machine
 * (docs/performance.md), whose CPU k6 shares with the service and PostgreSQL.
 */
export function debitThresholds(name, p99Ms, minRps) {
  return {
    http_req_failed: ["rate<0.01"],
    checks: ["rate>0.99"],
    [`http_req_duration{name:${name}}`]: [`p(99)<${p99Ms}`],
    http_reqs: [`rate>${minRps}`],
  };
}
