// N concurrent SSE connections (one per seeded account, SSE_CONNECTIONS in
// loadtest/run.ts, default 1000) and the delay from a debit's commit to its event's
// arrival: receivedAtMs (stamped by k6/x/sse when the event's last line is read) minus
// the event's committedAtMs (stamped by the server at commit; same machine, same clock).
// Phases: the `listen` VU opens every connection (up to CONNECT_S, default 30 s), then
// `debits` sends RATE debits/s (default 200) to random listened accounts for DEBIT_S
// (default 20 s). Fails when a connection fails, an event is dropped, > 1 % of debits
// fail, or p99 of commit -> event > P99_MS (default 50 ms, the goal).
import sse from "k6/x/sse";
import { check, fail } from "k6";
import { Counter, Trend } from "k6/metrics";
import { accounts, BASE_URL, debit, envNumber } from "./lib.js";

const CONNECT_S = envNumber("CONNECT_S", 30);
const DEBIT_S = envNumber("DEBIT_S", 20);
/** Time after the last debit to wait for its event (s). */
const DRAIN_S = 3;

const commitToEvent = new Trend("sse_commit_to_event", true);
const balanceEvents = new Counter("sse_balance_events");
const connectFailures = new Counter("sse_connect_failures");
const dropped = new Counter("sse_events_dropped");

export const options = {
  discardResponseBodies: true,
  scenarios: {
    listen: {
      executor: "per-vu-iterations",
      vus: 1,
      iterations: 1,
      maxDuration: `${CONNECT_S + DEBIT_S + DRAIN_S + 10}s`,
      exec: "listen",
    },
    debits: {
      executor: "constant-arrival-rate",
      rate: envNumber("RATE", 200),
      timeUnit: "1s",
      duration: `${DEBIT_S}s`,
      startTime: `${CONNECT_S}s`,
      preAllocatedVUs: 16,
      maxVUs: 64,
      exec: "debitOne",
    },
  },
  thresholds: {
    sse_commit_to_event: [`p(99)<${envNumber("P99_MS", 50)}`],
    sse_connect_failures: ["count<1"],
    sse_events_dropped: ["count<1"],
    sse_balance_events: ["count>0"],
    "http_req_failed{name:debit}": ["rate<0.01"],
    checks: ["rate>0.99"],
  },
};

export function listen() {
  const startedMs = Date.now();
  const pool = sse.open(
    `${BASE_URL}/api/v1/events`,
    accounts.map((a) => ({ Cookie: a.cookie })),
    { events: ["balance"] },
  );
  while (pool.connected() + pool.failed() < accounts.length && Date.now() - startedMs < CONNECT_S * 1000) {
    pool.next(100); // nothing is debited yet: this only paces the wait
  }
  const connected = pool.connected();
  console.log(`sse: ${connected}/${accounts.length} connections open after ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
  connectFailures.add(accounts.length - connected);
  if (!check(connected, { "all SSE connections open": (n) => n === accounts.length })) {
    pool.close();
    fail(`only ${connected} of ${accounts.length} SSE connections opened: ${pool.lastError()}`);
  }
  const endMs = startedMs + (CONNECT_S + DEBIT_S + DRAIN_S) * 1000;
  while (Date.now() < endMs) {
    const event = pool.next(200);
    if (!event) continue;
    commitToEvent.add(event.receivedAtMs - JSON.parse(event.data).committedAtMs);
    balanceEvents.add(1);
  }
  dropped.add(pool.dropped());
  connectFailures.add(pool.failed());
  pool.close();
}

export function debitOne() {
  debit(accounts[Math.floor(Math.random() * accounts.length)]);
}
