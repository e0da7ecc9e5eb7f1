import { createMiddleware } from "hono/factory";
import { newId } from "../../db/ids";
import type { AppDeps, AppEnv } from "../context";

/**
 * First middleware: gives the request an id (`req_...`, echoed in `X-Request-Id` and in
 * every error body), a child logger, and the process dependencies; logs one line per
 * request with status and duration (ms).
 */
export function requestContext(deps: AppDeps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const requestId = newId("req");
    const log = deps.logger.child({ requestId });
    c.set("deps", deps);
    c.set("requestId", requestId);
    c.set("log", log);
    c.set("idempotencyKey", null);
    c.set("idempotency", null);
    const startedAt = performance.now();
    await next();
    // on c.res.headers, not c.header(): after the handler that would rebuild the Response
    // around a web stream and push it off @hono/node-server's fast path (cpu-prof: ~10 %
    // of a debit). securityHeaders has already set headers on it, so they are mutable.
    c.res.headers.set("X-Request-Id", requestId);
    const durationMs = Math.round((performance.now() - startedAt) * 10) / 10;
    log.debug({ method: c.req.method, path: c.req.path, status: c.res.status, durationMs }, "request");
  });
}
