// Opens one SSE connection per seeded account and holds them, idle, for HOLD_S
// (default 120 s) or until k6 is stopped: the "debits with 10 000 SSE connections
// open" and "memory per idle SSE connection" rows of `npm run bench`.
import sse from "k6/x/sse";
import { fail } from "k6";
import { accounts, BASE_URL, envNumber } from "./lib.js";

const HOLD_S = envNumber("HOLD_S", 120);

export const options = {
  scenarios: { hold: { executor: "per-vu-iterations", vus: 1, iterations: 1, maxDuration: `${HOLD_S + 60}s` } },
};

export default function () {
  const pool = sse.open(`${BASE_URL}/api/v1/events`, accounts.map((a) => ({ Cookie: a.cookie })), { events: ["none"] });
  const startedMs = Date.now();
  while (pool.connected() + pool.failed() < accounts.length && Date.now() - startedMs < 60_000) pool.next(100);
  if (pool.connected() !== accounts.length) fail(`only ${pool.connected()} SSE connections opened: ${pool.lastError()}`);
  console.log(`idle-sse: ${pool.connected()} connections open`);
  while (Date.now() - startedMs < HOLD_S * 1000) pool.next(1000);
  pool.close();
}
