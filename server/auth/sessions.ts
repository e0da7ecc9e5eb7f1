import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { Queryable } from "../../db/client";
import { newId } from "../../db/ids";
import { clientIp } from "../client-ip";
import type { AppEnv } from "../context";
import { newSecret, SESSION_COOKIE, sha256Hex } from "./tokens";

/** Longest User-Agent kept for the sessions list (characters): real ones are far shorter. */
const USER_AGENT_MAX_LENGTH = 512;

/**
 * Starts a session for `userId` acting on `accountId`: stores the token's SHA-256, a
 * public id (`ses_...`), the request's User-Agent and client IP (the sessions list), and
 * sets the cookie (HttpOnly, SameSite=Lax, Secure when the public URL is https).
 */
export async function startSession(c: Context<AppEnv>, q: Queryable, userId: string, accountId: string): Promise<void> {
  const { env, publicUrl } = c.get("deps");
  const token = newSecret("");
  const ttlMs = env.SESSION_TTL_HOURS * 3_600_000;
  const userAgent = c.req.header("user-agent")?.slice(0, USER_AGENT_MAX_LENGTH) ?? null;
  const ip = clientIp(c, env.TRUST_PROXY === "1");
  await q`
    INSERT INTO sessions (id, user_id, account_id, expires_at, public_id, user_agent, ip)
    VALUES (${sha256Hex(token)}, ${userId}, ${accountId}, ${new Date(Date.now() + ttlMs)}, ${newId("ses")}, ${userAgent},
            ${ip === "unknown" ? null : ip})`;
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Lax",
    secure: publicUrl.startsWith("https://"),
    path: "/",
    maxAge: Math.floor(ttlMs / 1000),
  });
}

/** Ends the session (row and cookie). */
export async function endSession(c: Context<AppEnv>, q: Queryable, sessionId: string): Promise<void> {
  await q`DELETE FROM sessions WHERE id = ${sessionId}`;
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}
