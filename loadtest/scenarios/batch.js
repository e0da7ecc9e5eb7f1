// Batch ingestion: POST /api/v1/usage/batch with the operator key (OPERATOR_KEY), each
// request BATCH_SIZE (default 1 000) events of 1 minor unit spread at random over the
// seeded accounts, every event a fresh id. PARTITIONED=1 (what `npm run bench` runs): each
// VU sends events for its own share of the accounts (account i goes to VU i mod VUS), as a
// consumer group partitioned by customer would, so concurrent batches never wait on each
// other's account locks; PARTITIONED=0: every VU draws from all accounts, and concurrent
// batches that share accounts post one after the other. Closed model: VUS (default 4) virtual users for
// DURATION (20s). Events per second = requests per second x BATCH_SIZE (the check makes
// sure every event was applied). Fails when > 1 % fail or p99 > P99_MS (default 2000 ms).
import http from "k6/http";
import { check } from "k6";
import { accounts, BASE_URL, envNumber } from "./lib.js";

const BATCH_SIZE = envNumber("BATCH_SIZE", 1000);
const VUS = envNumber("VUS", 4);
const PARTITIONED = __ENV.PARTITIONED === "1";
/** This VU's accounts (set on its first iteration). */
let mine = null;

export const options = {
  scenarios: {
    batch: { executor: "constant-vus", vus: VUS, duration: __ENV.DURATION || "20s" },
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    checks: ["rate>0.99"],
    "http_req_duration{name:batch}": [`p(99)<${envNumber("P99_MS", 2000)}`],
  },
};

export default function () {
  if (mine === null) mine = PARTITIONED ? accounts.filter((_, i) => i % VUS === (__VU - 1) % VUS) : accounts;
  const events = [];
  for (let i = 0; i < BATCH_SIZE; i++) {
    const account = mine[Math.floor(Math.random() * mine.length)];
    events.push({ id: `${__VU}-${__ITER}-${i}`, accountId: account.accountId, amount: 1 });
  }
  const res = http.post(`${BASE_URL}/api/v1/usage/batch`, JSON.stringify({ events }), {
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${__ENV.OPERATOR_KEY}` },
    tags: { name: "batch" },
  });
  check(res, {
    "batch 200": (r) => r.status === 200,
    "every event applied": (r) => r.status === 200 && r.body.split('"status":"applied"').length - 1 === BATCH_SIZE,
  });
}
