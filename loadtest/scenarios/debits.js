// Usage debits spread over the seeded accounts (10 000 by default), closed model:
// VUS virtual users (default 16) debit as fast as the service answers for DURATION (20s).
// Fails when > 1 % of requests fail, p99 > P99_MS (default 250 ms) or fewer than
// MIN_RPS (default 200) debits per second.
import { accounts, debit, debitThresholds, envNumber } from "./lib.js";

export const options = {
  discardResponseBodies: true,
  scenarios: {
    debits: { executor: "constant-vus", vus: envNumber("VUS", 16), duration: __ENV.DURATION || "20s" },
  },
  thresholds: debitThresholds("debit", envNumber("P99_MS", 250), envNumber("MIN_RPS", 200)),
};

export default function () {
  debit(accounts[Math.floor(Math.random() * accounts.length)]);
}
