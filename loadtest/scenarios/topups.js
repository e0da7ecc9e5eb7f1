// Top-ups through the simulated checkout and its webhook: POST /api/v1/topups (API key),
// POST the checkout form with the test card that pays (the simulated provider then
// posts its signed checkout.session.completed to our webhook route), and
// GET /api/v1/topups/:id must say `succeeded`. VUS (default 8) for DURATION (20s).
// Fails when > 1 % fail or the p99 of any step > P99_MS (default 250 ms).
import http from "k6/http";
import { check } from "k6";
import { accounts, BASE_URL, envNumber } from "./lib.js";

const p99 = `p(99)<${envNumber("P99_MS", 250)}`;

export const options = {
  scenarios: {
    topups: { executor: "constant-vus", vus: envNumber("VUS", 8), duration: __ENV.DURATION || "20s" },
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    checks: ["rate>0.99"],
    "http_req_duration{name:create_topup}": [p99],
    "http_req_duration{name:pay_checkout}": [p99],
    "http_req_duration{name:get_topup}": [p99],
  },
};

/** Stripe's test card that pays (shared/DESIGN.md, "Top-ups and payments"). */
const CARD_PAYS = "4242424242424242";

export default function () {
  const account = accounts[Math.floor(Math.random() * accounts.length)];
  const auth = { Authorization: `Bearer ${account.apiKey}` };
  const created = http.post(`${BASE_URL}/api/v1/topups`, JSON.stringify({ amount: 1000, currency: "EUR" }), {
    headers: { ...auth, "Content-Type": "application/json" },
    tags: { name: "create_topup" },
  });
  if (!check(created, { "topup 201": (r) => r.status === 201 })) return;
  const topup = created.json();
  // 303 to the return URL once paid; not followed (the portal page is not under test)
  const paid = http.post(topup.checkoutUrl, { card: CARD_PAYS }, { redirects: 0, tags: { name: "pay_checkout" } });
  check(paid, { "checkout 303": (r) => r.status === 303 });
  const got = http.get(`${BASE_URL}/api/v1/topups/${topup.id}`, { headers: auth, tags: { name: "get_topup" } });
  check(got, { "topup succeeded": (r) => r.status === 200 && r.json("status") === "succeeded" });
}
