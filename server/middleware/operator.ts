import { createHash, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { AuditBy } from "../../db/audit/record-audit";
import { clientIp } from "../client-ip";
import type { OperatorRole } from "../../db/operators/operator-users";
import { authenticateOperatorSession, OPERATOR_SESSION_COOKIE, type OperatorSession } from "../auth/operator-sessions";
import { assertSameOrigin } from "../auth/same-origin";
import type { AppEnv } from "../context";
import { ApiError, type ErrorCode } from "../errors";
import { documented } from "../openapi/route-docs";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** True when the request carries `Authorization: Bearer <OPERATOR_API_KEY>` (constant-time compare). */
export function hasOperatorKey(c: Context<AppEnv>): boolean {
  const expected = c.get("deps").env.OPERATOR_API_KEY;
  const token = /^Bearer\s+(\S+)$/i.exec(c.req.header("Authorization") ?? "")?.[1];
  return Boolean(expected && token && timingSafeEqual(digest(token), digest(expected)));
}

/**
 * The operator session of the request (set by requireOperator), or null for the API key.
 * @throws Error on a route without requireOperator (a bug, not a client error)
 */
export function operatorSessionOf(c: Context<AppEnv>): OperatorSession | null {
  const operator = c.get("operator");
  if (operator === undefined) throw new Error("this route needs requireOperator()");
  return operator;
}

/** The audit actor of an operator request: `api_key` for `Bearer <OPERATOR_API_KEY>` (automation), else `operator:<operatorUserId>`. */
export function operatorActor(c: Context<AppEnv>): string {
  const session = operatorSessionOf(c);
  return session ? `operator:${session.operatorUserId}` : "api_key";
}

/**
 * The operator role of the request: `admin` (everything) or `support` (read, plus adjustments
 * up to OPERATOR_SUPPORT_ADJUSTMENT_LIMIT). The API key acts as `admin`.
 */
export function operatorRole(c: Context<AppEnv>): OperatorRole {
  return operatorSessionOf(c)?.role ?? "admin";
}

/** Who made an operator request, for `recordAudit` and the ledger verbs' `by`: actor, request id, client IP. */
export function operatorAuditBy(c: Context<AppEnv>): AuditBy {
  return {
    actor: operatorActor(c),
    requestId: c.get("requestId"),
    ip: clientIp(c, c.get("deps").env.TRUST_PROXY === "1"),
  };
}

interface OperatorOptions {
  /** A `support` operator may call this non-GET route (adjustments); by default support operators may only read. */
  supportMayWrite?: boolean;
  /** Only `admin` operators (and the API key) may call this route, GET included (operator users). */
  adminOnly?: boolean;
  /** Only an operator session (the operator's own log-in, profile and enrolment): the API key is refused. */
  sessionOnly?: boolean;
  /** Also open to an operator who has not enrolled TOTP yet (their enrolment, GET operator/me, log-out). */
  beforeTwoFactor?: boolean;
}

/**
 * Operator (platform staff) routes: an operator session (cookie `lb_operator`, password and
 * TOTP: server/auth/operator-sessions.ts) or `Authorization: Bearer <OPERATOR_API_KEY>`,
 * compared in constant time over SHA-256 digests (without OPERATOR_API_KEY configured only
 * sessions). A portal session never opens these routes (another cookie). State-changing
 * session calls must come from our origin. Sets `operator` (null for the API key).
 * @throws ApiError unauthenticated (401), two_factor_required (403: TOTP not enrolled yet),
 *   forbidden (403: a support operator on a write or admin-only route), forbidden_origin (403)
 */
export function requireOperator(options: OperatorOptions = {}) {
  const middleware = createMiddleware<AppEnv>(async (c, next) => {
    if (!options.sessionOnly && hasOperatorKey(c)) {
      c.set("operator", null);
      return next();
    }
    assertSameOrigin(c, c.get("deps").publicUrl);
    const session = await authenticateOperatorSession(c.get("deps").database.sql, getCookie(c, OPERATOR_SESSION_COOKIE));
    if (!session.twoFactorEnabled && !options.beforeTwoFactor) {
      throw new ApiError("two_factor_required", "Operators must set up two-factor log-in first.");
    }
    if (session.role !== "admin") {
      const write = c.req.method !== "GET" && c.req.method !== "HEAD";
      if (options.adminOnly || (write && !options.supportMayWrite && !options.sessionOnly)) {
        throw new ApiError("forbidden", "This needs the operator role admin.");
      }
    }
    c.set("operator", session);
    await next();
  });
  const errors: ErrorCode[] = ["unauthenticated", "forbidden_origin"];
  if (!options.beforeTwoFactor) errors.push("two_factor_required");
  if (!options.sessionOnly) errors.push("forbidden");
  const roles = options.adminOnly ? ["admin"] : [];
  const security: Record<string, string[]>[] = options.sessionOnly ? [{ operatorSession: [] }] : [{ operatorKey: [] }, { operatorSession: roles }];
  return documented(middleware, { security, errors });
}
