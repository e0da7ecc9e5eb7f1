import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { Queryable } from "../../db/client";
import type { AppEnv } from "../context";
import { newSecret, SESSION_COOKIE, sha256Hex } from "./tokens";

/**
 * Starts a session for `userId` acting on `accountId`: stores the token's SHA-256 and
 * sets the cookie (HttpOnly, SameSite=Lax, Secure when the public URL is https).
 */
export async function startSession(c: Context<AppEnv>, q: Queryable, userId: string, accountId: string): Promise<void> {
  const { env, publicUrl } = c.get("deps");
  const token = newSecret("");
  const ttlMs = env.SESSION_TTL_HOURS * 3_600_000;
  await q`
    INSERT INTO sessions (id, user_id, account_id, expires_at)
    VALUES (${sha256Hex(token)}, ${userId}, ${accountId}, ${new Date(Date.now() + ttlMs)})`;
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
