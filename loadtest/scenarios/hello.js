// GET BASE_URL/ with VUS (default 16) for DURATION (10s): the framework-overhead
// comparison of `npm run bench` (loadtest/bench/hello-server.ts). Fails when > 1 % fail.
import http from "k6/http";
import { check } from "k6";
import { envNumber } from "./lib.js";

export const options = {
  discardResponseBodies: true,
  scenarios: { hello: { executor: "constant-vus", vus: envNumber("VUS", 16), duration: __ENV.DURATION || "10s" } },
  thresholds: { http_req_failed: ["rate<0.01"] },
};

export default function () {
  check(http.get(`${__ENV.BASE_URL}/`, { tags: { name: "hello" } }), { "hello 200": (r) => r.status === 200 });
}
