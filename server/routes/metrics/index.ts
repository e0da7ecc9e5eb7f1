import { Hono } from "hono";
import type { AppEnv } from "../../context";

/**
 * GET /metrics: Prometheus text format (server/metrics/registry.ts lists the metrics).
 * Unauthenticated, like /healthz: Prometheus scrapes each instance directly on the
 * internal network; nginx.conf answers 404 for it on the public side.
 */
export const metricsRoutes = new Hono<AppEnv>().get("/metrics", async (c) => {
  const { registry } = c.get("deps").metrics;
  return c.body(await registry.metrics(), 200, { "Content-Type": registry.contentType });
});
