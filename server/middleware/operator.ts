import { createHash, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AuditBy } from "../../db/audit/record-audit";
import { clientIp } from "../client-ip";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { documented } from "../openapi/route-docs";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** True when the request carries `Authorization: Bearer <OPERATOR_API_KEY>` (constant-time compare). */
export function hasOperatorKey(c: Context<AppEnv>): boolean {
  const expected = c.get("deps").env.OPERATOR_API_KEY;
  const token = /^Bearer\s+(\S+)$/i.exec(c.req.header("Authorization") ?? "")?.[1];
  return Boolean(expected && token && timingSafeEqual(digest(token), digest(expected)));
}

/**
 * The audit actor of an operator request: `api_key` for `Bearer <OPERATOR_API_KEY>` (automation).
 * Operator sessions (issue 11) will return `operator:<operatorUserId>`.
 */
export function operatorActor(_c: Context<AppEnv>): string {
  return "api_key";
}

/**
 * The operator role of the request: `admin` (everything) or `support` (read, plus adjustments
 * up to OPERATOR_SUPPORT_ADJUSTMENT_LIMIT). The API key acts as `admin`.
 */
export function operatorRole(_c: Context<AppEnv>): "admin" | "support" {
  return "admin";
}

/** Who made an operator request, for `recordAudit` and the ledger verbs' `by`: actor, request id, client IP. */
export function operatorAuditBy(c: Context<AppEnv>): AuditBy {
  return {
    actor: operatorActor(c),
    requestId: c.get("requestId"),
    ip: clientIp(c, c.get("deps").env.TRUST_PROXY === "1"),
  };
}

/**
 * Operator (platform staff) routes: `Authorization: Bearer <OPERATOR_API_KEY>`, compared in
 * constant time over SHA-256 digests. Without OPERATOR_API_KEY configured nobody is an operator.
 * `supportMayWrite`: a `support` operator may call this non-GET route (adjustments); by default
 * support operators may only read.
 * @throws ApiError unauthenticated (401)
 */
export function requireOperator(_options: { supportMayWrite?: boolean } = {}) {
  const middleware = createMiddleware<AppEnv>(async (c, next) => {
    if (!hasOperatorKey(c)) {
      throw new ApiError("unauthenticated", "Operator routes need Authorization: Bearer <OPERATOR_API_KEY>.");
    }
    await next();
  });
  return documented(middleware, { security: [{ operatorKey: [] }], errors: ["unauthenticated"] });
}
