import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { Queryable } from "../../db/client";
import type { OperatorRole } from "../../db/operators/operator-users";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { newSecret, sha256Hex } from "./tokens";

/**
 * Operator session cookie: a different name from the portal's `lb_session`, so no customer
 * session opens an operator route and no operator session a customer route (each side reads
 * only its own cookie). HttpOnly, SameSite=Strict (the console is never entered from another
 * site's link with a session), Secure outside localhost.
 */
export const OPERATOR_SESSION_COOKIE = "lb_operator";
/** Operator sessions last 12 hours (a working day): staff sessions are shorter than customers'. */
export const OPERATOR_SESSION_TTL_MS = 12 * 3_600_000;

/** The operator of a valid session cookie. */
export interface OperatorSession {
  sessionId: string;
  operatorUserId: string;
  email: string;
  role: OperatorRole;
  /** false until TOTP enrolment is confirmed: only enrolment routes open. */
  twoFactorEnabled: boolean;
}

/** Starts an operator session (row + cookie). */
export async function startOperatorSession(c: Context<AppEnv>, q: Queryable, operatorUserId: string): Promise<void> {
  const token = newSecret("");
  await q`
    INSERT INTO operator_sessions (id, operator_user_id, expires_at)
    VALUES (${sha256Hex(token)}, ${operatorUserId}, ${new Date(Date.now() + OPERATOR_SESSION_TTL_MS)})`;
  setCookie(c, OPERATOR_SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Strict",
    secure: c.get("deps").publicUrl.startsWith("https://"),
    path: "/",
    maxAge: Math.floor(OPERATOR_SESSION_TTL_MS / 1000),
  });
}

/** Ends the operator session (row and cookie). */
export async function endOperatorSession(c: Context<AppEnv>, q: Queryable, sessionId: string): Promise<void> {
  await q`DELETE FROM operator_sessions WHERE id = ${sessionId}`;
  deleteCookie(c, OPERATOR_SESSION_COOKIE, { path: "/" });
}

/**
 * The operator session of cookie `token`; disabled operators have none.
 * @throws ApiError unauthenticated (no, an expired or a disabled operator's session)
 */
export async function authenticateOperatorSession(q: Queryable, token: string | undefined): Promise<OperatorSession> {
  if (!token) throw new ApiError("unauthenticated", "Operator routes need an operator session or Authorization: Bearer <OPERATOR_API_KEY>.");
  const sessionId = sha256Hex(token);
  const [row] = await q<{ id: string; email: string; role: OperatorRole; two_factor: boolean }[]>`
    SELECT o.id, o.email, o.role,
           EXISTS (SELECT 1 FROM totp_credentials t WHERE t.subject_id = o.id AND t.confirmed_at IS NOT NULL) AS two_factor
      FROM operator_sessions s JOIN operator_users o ON o.id = s.operator_user_id
     WHERE s.id = ${sessionId} AND s.expires_at > now() AND o.disabled_at IS NULL`;
  if (!row) throw new ApiError("unauthenticated", "Your operator session has expired. Log in again.");
  return { sessionId, operatorUserId: row.id, email: row.email, role: row.role, twoFactorEnabled: row.two_factor };
}
