// Debits on ONE hot account (the first seeded one), closed model: VUS (default 16)
// virtual users for DURATION (20s). Every debit locks the same row, so this measures
// the account's serial throughput. Fails when > 1 % fail, p99 > P99_MS (default 300 ms)
// or fewer than MIN_RPS (default 150) debits per second.
import { accounts, debit, debitThresholds, envNumber } from "./lib.js";

export const options = {
  discardResponseBodies: true,
  scenarios: {
    hot: { executor: "constant-vus", vus: envNumber("VUS", 16), duration: __ENV.DURATION || "20s" },
  },
  thresholds: debitThresholds("debit", envNumber("P99_MS", 300), envNumber("MIN_RPS", 150)),
};

export default function () {
  debit(accounts[0]);
}
