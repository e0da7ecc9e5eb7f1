import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import { LedgerError } from "../../db/ledger/errors";
import type { AppEnv } from "../context";

/**
 * Observes every request in `http_request_duration_seconds{method, route, status}`
 * (seconds until the response headers; for SSE that is the stream's start, not its
 * length) and counts ledger rule refusals (a LedgerError reaching app.onError, but
 * not_found) in
 * `ledger_rejections_total{route, reason}`. `route` is the matched pattern (bounded
 * cardinality), "unmatched" when no route matched. Runs after requestContext().
 */
export function httpMetrics() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const startedAt = performance.now();
    await next();
    const { metrics } = c.get("deps");
    const route = routePath(c) || "unmatched";
    metrics.httpRequestDuration.observe(
      { method: c.req.method, route, status: String(c.res.status) },
      (performance.now() - startedAt) / 1000,
    );
    // A missing hold, top-up or account (404) is not a refusal by a ledger rule.
    if (c.error instanceof LedgerError && c.res.status !== 404) {
      metrics.ledgerRejections.inc({ route, reason: c.error.code });
    }
  });
}
