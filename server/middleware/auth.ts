import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { AppDeps, AppEnv, Principal } from "../context";
import { ApiError, type ErrorCode } from "../errors";
import { assertSameOrigin } from "../auth/same-origin";
import { documented, type MiddlewareDoc } from "../openapi/route-docs";
import { API_KEY_PREFIX, SESSION_COOKIE, sha256Hex, type ApiKeyScope } from "../auth/tokens";

type Role = "owner" | "admin" | "viewer";

interface AuthOptions {
  /**
   * Accept a portal session cookie; `roles` limits which members may call.
   * `beforeTwoFactor`: also open to a member who must enrol two-factor first (their account
   * requires it, they have none): the routes of enrolment, GET /me, log-out.
   */
  session?: { roles?: Role[]; beforeTwoFactor?: boolean };
  /** Accept an API key (`Authorization: Bearer lb_sk_...`) carrying this scope. */
  apiKeyScope?: ApiKeyScope;
}

/**
 * Authenticates the caller and sets `principal` and `accountId`. API keys: see
 * authenticateApiKey (cached per instance for API_KEY_CACHE_TTL_MS, misses batched).
 * State-changing session calls must come from our origin (server/auth/same-origin.ts).
 * @throws ApiError unauthenticated (401) with no or an expired credential,
 *   invalid_api_key (401), insufficient_scope / forbidden / forbidden_origin (403).
 */
export function requireAuth(options: AuthOptions) {
  const middleware = createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("Authorization");
    let principal: Principal;
    if (header && options.apiKeyScope) {
      principal = await authenticateApiKey(c.get("deps"), header, options.apiKeyScope);
    } else if (options.session) {
      assertSameOrigin(c, c.get("deps").publicUrl);
      principal = await authenticateSession(c.get("deps").database.sql, getCookie(c, SESSION_COOKIE), options.session.roles, {
        beforeTwoFactor: options.session.beforeTwoFactor,
      });
    } else {
      throw new ApiError("unauthenticated", "Send an API key: Authorization: Bearer lb_sk_...");
    }
    c.set("principal", principal);
    c.set("accountId", principal.accountId);
    await next();
  });
  return documented(middleware, authDoc(options));
}

/**
 * The OpenAPI side of requireAuth: the schemes registered in server/openapi/document.ts,
 * with the roles or the API key scope it asks for (OpenAPI 3.1 allows role names for any
 * scheme type), and the 401/403 codes it answers with.
 */
function authDoc(options: AuthOptions): MiddlewareDoc {
  const security: Record<string, string[]>[] = [];
  const errors: ErrorCode[] = ["unauthenticated"];
  if (options.session) {
    security.push({ session: options.session.roles ?? [] });
    errors.push("forbidden_origin"); // only on POST, PUT, PATCH, DELETE
    if (options.session.roles) errors.push("forbidden");
    if (!options.session.beforeTwoFactor) errors.push("two_factor_required");
  }
  if (options.apiKeyScope) {
    security.push({ apiKey: [options.apiKeyScope] });
    errors.push("invalid_api_key", "insufficient_scope");
  }
  return { security, errors };
}

/** Portal routes: session cookie only (any role unless `roles` says otherwise). */
export const requireSession = (roles?: Role[]) => requireAuth({ session: { roles } });
/** Portal routes a member who must still enrol two-factor may call (enrolment, GET /me, log-out). */
export const requireSessionBeforeTwoFactor = () => requireAuth({ session: { beforeTwoFactor: true } });
/** Platform routes: API key with `scope` only. */
export const requireApiKey = (scope: ApiKeyScope) => requireAuth({ apiKeyScope: scope });

/**
 * The principal of an API key header (`Bearer lb_sk_...`) that must carry `scope`. Valid
 * keys come from the per-process cache (server/auth/api-key-cache.ts); a miss waits for the
 * batched lookup (server/auth/api-key-lookup.ts: one statement for the turn's misses, one
 * shared promise per hash) and caches the key if it is valid. No write on this path: the
 * key's use is recorded for the next last_used_at flush (server/auth/api-key-last-used.ts).
 * @throws ApiError invalid_api_key (401: malformed header, unknown or revoked key),
 *   insufficient_scope (403); the database's error when the lookup fails
 */
export async function authenticateApiKey(deps: AppDeps, header: string, scope: ApiKeyScope): Promise<Principal> {
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]?.startsWith(API_KEY_PREFIX)) {
    throw new ApiError("invalid_api_key", "Authorization must be 'Bearer lb_sk_...'.");
  }
  const keyHash = sha256Hex(match[1]);
  let key = deps.apiKeyCache.get(keyHash);
  if (!key) {
    const found = await deps.apiKeyLookup.find(keyHash);
    if (!found) throw new ApiError("invalid_api_key", "This API key is not valid or has been revoked.");
    deps.apiKeyCache.set(keyHash, found);
    key = found;
  }
  deps.apiKeyLastUsed.record(key.id);
  if (!key.scopes.includes(scope)) {
    throw new ApiError("insufficient_scope", `This API key lacks the '${scope}' scope.`);
  }
  return { kind: "api_key", apiKeyId: key.id, accountId: key.accountId, scopes: key.scopes, spendLimited: key.spendLimited };
}

/**
 * The portal session of the `lb_session` cookie `token` (pages outside the API use it too).
 * A member of an account that requires two-factor log-in who has none is refused unless
 * `options.beforeTwoFactor` (the enrolment routes).
 * @throws ApiError unauthenticated (no or an expired session), two_factor_required (403),
 *   forbidden (role not in `roles`)
 */
export async function authenticateSession(
  sql: AppEnv["Variables"]["deps"]["database"]["sql"],
  token: string | undefined,
  roles: Role[] | undefined,
  options: { beforeTwoFactor?: boolean } = {},
): Promise<Extract<Principal, { kind: "session" }>> {
  if (!token) throw new ApiError("unauthenticated", "Log in first.");
  const sessionId = sha256Hex(token);
  // Same round trip: stamp last_seen_at (the sessions list), at most once a minute per session.
  const [row] = await sql<{ user_id: string; account_id: string; role: Role; must_enrol: boolean }[]>`
    WITH s AS (
      SELECT s.id, s.user_id, s.account_id, s.last_seen_at, m.role,
             a.require_two_factor AND NOT EXISTS (
               SELECT 1 FROM totp_credentials t WHERE t.subject_id = s.user_id AND t.confirmed_at IS NOT NULL) AS must_enrol
        FROM sessions s
        JOIN account_members m ON m.account_id = s.account_id AND m.user_id = s.user_id
        JOIN accounts a ON a.id = s.account_id
       WHERE s.id = ${sessionId} AND s.expires_at > now()
    ), touched AS (
      UPDATE sessions SET last_seen_at = now() FROM s
       WHERE sessions.id = s.id AND s.last_seen_at < now() - interval '1 minute'
      RETURNING 1
    )
    SELECT user_id, account_id, role, must_enrol, (SELECT count(*) FROM touched) AS touched FROM s`;
  if (!row) throw new ApiError("unauthenticated", "Your session has expired. Log in again.");
  if (row.must_enrol && !options.beforeTwoFactor) {
    throw new ApiError("two_factor_required", "Your account requires two-factor log-in: set it up under Profile → Security first.");
  }
  if (roles && !roles.includes(row.role)) {
    throw new ApiError("forbidden", `This needs one of the roles: ${roles.join(", ")}.`);
  }
  return { kind: "session", userId: row.user_id, accountId: row.account_id, role: row.role, sessionId };
}

/**
 * The session principal of a route behind requireSession().
 * @throws Error when called on a route without requireSession() (a bug, not a client error)
 */
export function sessionOf(c: { get(key: "principal"): Principal }): Extract<Principal, { kind: "session" }> {
  const principal = c.get("principal");
  if (principal.kind !== "session") throw new Error("this route needs requireSession()");
  return principal;
}
