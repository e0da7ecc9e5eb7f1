import { Gauge } from "prom-client";
import type { RateLimits } from "../rate-limits";
import type { Metrics } from "./registry";

/**
 * `rate_limit_redis_up`: 1 when the rate limiters' Redis answers a PING at scrape time,
 * 0 while it does not (each instance then limits with its in-memory insurance limiters,
 * so limits count per instance). Not exported without REDIS_URL.
 */
export function registerRateLimitStoreMetrics(metrics: Metrics, rateLimits: RateLimits): void {
  new Gauge({
    name: "rate_limit_redis_up",
    help: "Whether the rate limiters' Redis answers (0: limits count in this instance's memory)",
    registers: [metrics.registry],
    async collect() {
      const reachable = await rateLimits.redisReachable();
      if (reachable === null) this.reset();
      else this.set(reachable ? 1 : 0);
    },
  });
}
