import { createHash } from "node:crypto";
import type postgres from "postgres";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { documented, sharedHeaders, type MiddlewareDoc } from "../openapi/route-docs";

/** Longest Idempotency-Key accepted (Stripe's limit: 255 characters). */
const MAX_KEY_LENGTH = 255;

/**
 * Idempotency-Key handling for POSTs that move money (shared/DESIGN.md, "Idempotency";
 * semantics as Stripe's, which keeps keys 24 h):
 * - first request with a key: recorded `in_flight`, handled, response stored;
 * - same key + same method, path and body: the stored response is replayed with
 *   `Idempotent-Replayed: true`;
 * - same key + different request: 409 idempotency_key_reused;
 * - same key while the first is still running: 409 idempotency_key_in_use.
 * Keys are scoped to the calling account. Responses with status 400 (the request
 * never ran) or >= 500 (outcome unknown to us) are not stored: the key is released
 * so the client can retry. Without the header the request runs normally.
 * Must run after requireAuth (needs `accountId`), or be given `scope` (operator routes,
 * whose keys are scoped to `"operator"`).
 */
export function idempotent(options: { scope?: string } = {}) {
  const middleware = createMiddleware<AppEnv>(async (c, next) => {
    const key = c.req.header("Idempotency-Key");
    if (key === undefined) return next();
    if (key.length === 0 || key.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
      throw new ApiError("validation_error", `Idempotency-Key must be 1-${MAX_KEY_LENGTH} printable ASCII characters.`);
    }
    const sql = c.get("deps").database.sql;
    const scope = options.scope ?? c.get("accountId");
    const body = await c.req.text();
    const requestHash = createHash("sha256").update(`${c.req.method} ${c.req.path}\n${body}`).digest("hex");

    const inserted = await sql`
      INSERT INTO idempotency_keys (scope, key, request_hash, status)
      VALUES (${scope}, ${key}, ${requestHash}, 'in_flight')
      ON CONFLICT DO NOTHING RETURNING key`;
    if (inserted.length === 0) {
      const [prior] = await sql<{ request_hash: string; status: string; response_status: number; response_body: unknown }[]>`
        SELECT request_hash, status, response_status, response_body FROM idempotency_keys
         WHERE scope = ${scope} AND key = ${key}`;
      if (!prior) throw new ApiError("idempotency_key_in_use", "This Idempotency-Key was just released; retry.");
      if (prior.request_hash !== requestHash) {
        throw new ApiError("idempotency_key_reused", "This Idempotency-Key was already used with a different request.");
      }
      if (prior.status === "in_flight") {
        throw new ApiError("idempotency_key_in_use", "A request with this Idempotency-Key is still being processed.");
      }
      c.header("Idempotent-Replayed", "true");
      return c.json(prior.response_body as object, prior.response_status as 200);
    }

    c.set("idempotencyKey", key);
    try {
      await next();
    } finally {
      const status = c.res.status;
      if (status === 400 || status >= 500) {
        await sql`DELETE FROM idempotency_keys WHERE scope = ${scope} AND key = ${key}`;
      } else {
        const responseBody = await c.res.clone().json().catch(() => null);
        await sql`
          UPDATE idempotency_keys SET status = 'done', response_status = ${status}, response_body = ${sql.json(responseBody as postgres.JSONValue)}
           WHERE scope = ${scope} AND key = ${key}`;
      }
    }
  });
  return documented(middleware, IDEMPOTENCY_DOC);
}

/** What idempotent() adds to a route's OpenAPI operation. */
const IDEMPOTENCY_DOC: MiddlewareDoc = {
  headers: [
    {
      name: "Idempotency-Key",
      in: "header",
      description: `Makes retries safe: the same key and request replay the first response (keys are kept 24 h). 1-${MAX_KEY_LENGTH} printable ASCII characters.`,
      schema: { type: "string", minLength: 1, maxLength: MAX_KEY_LENGTH },
    },
  ],
  errors: ["validation_error", "idempotency_key_reused", "idempotency_key_in_use"],
  successHeaders: sharedHeaders("Idempotent-Replayed"),
};
