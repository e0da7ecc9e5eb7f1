import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { RateLimiterRes } from "rate-limiter-flexible";
import { newId } from "../../../db/ids";
import { openAccount } from "../../../db/ledger/open-account";
import { hashPassword, verifyPassword } from "../../auth/passwords";
import { assertAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../auth/password-policy";
import { completeLoginChallenge, createLoginChallenge } from "../../auth/login-challenges";
import { endSession, startSession } from "../../auth/sessions";
import { getTotpStatus } from "../../auth/totp";
import { newSecret, sha256Hex } from "../../auth/tokens";
import { sendEmailVerification } from "../../../db/auth/user-tokens";
import { verifyEmailUrl } from "./recovery";
import { clientIp } from "../../client-ip";
import type { AppEnv } from "../../context";
import { ApiError, RateLimitedError } from "../../errors";
import { requireSessionBeforeTwoFactor } from "../../middleware/auth";
import { createRouter } from "../router";
import { errors } from "../../openapi/route-docs";
import { Currency, jsonBody, jsonResponse } from "../schemas";
import { MeSchema, loadMe } from "../me/load-me";

const SignupBody = z
  .object({
    email: z.email().max(254).transform((s) => s.toLowerCase()),
    password: z
      .string()
      .max(PASSWORD_MAX_LENGTH)
      .openapi({
        description: `At least ${PASSWORD_MIN_LENGTH} characters, not only spaces, not a commonly used password (400 password_too_short, password_blank, password_too_common)`,
      }),
    name: z.string().trim().min(1).max(100),
    currency: Currency.default("EUR"),
    locale: z
      .enum(["en", "de"])
      .default("en")
      .openapi({ description: "Language of the user's emails and push messages (the portal sends its own)." }),
  })
  .openapi("SignupRequest");

const LoginBody = z
  .object({ email: z.string().max(254).transform((s) => s.toLowerCase()), password: z.string().max(256) })
  .openapi("LoginRequest");

/** 202 of a log-in whose user has two-factor on: send `token` and a code to POST /auth/login/two-factor. */
export const TwoFactorChallengeSchema = z
  .object({
    twoFactorRequired: z.literal(true),
    token: z.string().openapi({ description: "Pending-login token, valid until expiresAt (5 minutes)." }),
    expiresAt: z.iso.datetime(),
  })
  .openapi("TwoFactorChallenge");

export const TwoFactorLoginBody = z
  .object({
    token: z.string().min(1).max(200),
    code: z.string().trim().min(6).max(20).openapi({ description: "The 6-digit code of the authenticator app, or an unused recovery code." }),
  })
  .openapi("TwoFactorLoginRequest");

const signup = createRoute({
  method: "post",
  path: "/auth/signup",
  operationId: "signUp",
  tags: ["auth"],
  summary: "Create a user and their prepaid account; starts a session and emails a link to verify the address",
  description:
    "Sign-ups per client IP are limited (SIGNUP_RATE_LIMIT_PER_HOUR): 429 with Retry-After. Until the address is " +
    "verified (POST /auth/email-verification/{token}) the portal works, but notification emails are not sent to it.",
  security: [],
  request: jsonBody(SignupBody),
  responses: { 201: jsonResponse(MeSchema, "Signed up"), ...errors("password_too_short", "password_blank", "password_too_common", "email_taken", "rate_limited") },
});

const login = createRoute({
  method: "post",
  path: "/auth/login",
  operationId: "logIn",
  tags: ["auth"],
  summary: "Log in; sets the session cookie, or asks for the second factor (202)",
  description:
    "Failed log-ins are throttled per email and client IP: 429 with Retry-After. A user with two-factor log-in on " +
    "gets 202 with a pending-login token instead of a session: POST it with a code to /auth/login/two-factor.",
  security: [],
  request: jsonBody(LoginBody),
  responses: {
    200: jsonResponse(MeSchema, "Logged in"),
    202: jsonResponse(TwoFactorChallengeSchema, "Password correct; the second factor is due"),
    ...errors("invalid_credentials", "rate_limited"),
  },
});

const loginTwoFactor = createRoute({
  method: "post",
  path: "/auth/login/two-factor",
  operationId: "logInTwoFactor",
  tags: ["auth"],
  summary: "Second log-in step: a TOTP or recovery code for the pending-login token; sets the session cookie",
  description:
    "Each code is accepted once (a used code is refused for the rest of its window); each recovery code once ever. " +
    "Wrong codes are throttled like wrong passwords: 429 with Retry-After.",
  security: [],
  request: jsonBody(TwoFactorLoginBody),
  responses: {
    200: jsonResponse(MeSchema, "Logged in"),
    ...errors("login_challenge_expired", "invalid_two_factor_code", "rate_limited"),
  },
});

const logout = createRoute({
  method: "post",
  path: "/auth/logout",
  operationId: "logOut",
  tags: ["auth"],
  summary: "End the session",
  middleware: [requireSessionBeforeTwoFactor()] as const,
  responses: { 204: { description: "Logged out" } },
});

export const authRoutes = createRouter()
  .openapi(signup, async (c) => {
    const input = c.req.valid("json");
    const { database, publicUrl } = c.get("deps");
    const { sql } = database;
    assertAcceptablePassword(input.password);
    await limitSignups(c);
    const passwordHash = await hashPassword(input.password);
    const userId = newId("usr");
    await sql.begin(async (tx) => {
      const inserted = await tx`
        INSERT INTO users (id, email, name, password_hash, locale)
        VALUES (${userId}, ${input.email}, ${input.name}, ${passwordHash}, ${input.locale})
        ON CONFLICT (email) DO NOTHING RETURNING id`;
      if (inserted.length === 0) throw new ApiError("email_taken", "An account with this email already exists. Log in instead.");
      const accountId = await openAccount(tx, { name: input.name, currency: input.currency });
      await tx`INSERT INTO account_members (account_id, user_id, role) VALUES (${accountId}, ${userId}, 'owner')`;
      await startSession(c, tx, userId, accountId);
      const token = newSecret("");
      await sendEmailVerification(tx, { userId, email: input.email, tokenHash: sha256Hex(token), url: verifyEmailUrl(publicUrl, token) });
    });
    return c.json(await loadMe(sql, userId), 201);
  })
  .openapi(login, async (c) => {
    const { email, password } = c.req.valid("json");
    const { database, env, rateLimits } = c.get("deps");
    const ip = clientIp(c, env.TRUST_PROXY === "1");
    await rateLimits.logins.check(email, ip);
    const [user] = await database.sql<{ id: string; password_hash: string; account_id: string }[]>`
      SELECT u.id, u.password_hash, m.account_id
        FROM users u JOIN account_members m ON m.user_id = u.id
       WHERE u.email = ${email} ORDER BY m.created_at LIMIT 1`;
    // An unknown email costs the same argon2 verification as a known one (no timing oracle).
    const passwordOk = await verifyPassword(user?.password_hash, password);
    if (!user || !passwordOk) {
      await rateLimits.logins.failed(email, ip);
      throw new ApiError("invalid_credentials", "Email or password is wrong.");
    }
    await rateLimits.logins.succeeded(email, ip);
    if ((await getTotpStatus(database.sql, user.id)).enabled) {
      const challenge = await createLoginChallenge(database.sql, user.id, user.account_id);
      return c.json({ twoFactorRequired: true as const, token: challenge.token, expiresAt: challenge.expiresAt.toISOString() }, 202);
    }
    await startSession(c, database.sql, user.id, user.account_id);
    return c.json(await loadMe(database.sql, user.id), 200);
  })
  .openapi(loginTwoFactor, async (c) => {
    const { token, code } = c.req.valid("json");
    const { database, env, rateLimits } = c.get("deps");
    const ip = clientIp(c, env.TRUST_PROXY === "1");
    const { subjectId, accountId } = await completeLoginChallenge(database.sql, { token, code, ip, throttle: rateLimits.logins });
    await startSession(c, database.sql, subjectId, accountId!);
    return c.json(await loadMe(database.sql, subjectId, accountId!), 200);
  })
  .openapi(logout, async (c) => {
    const principal = c.get("principal");
    if (principal.kind === "session") await endSession(c, c.get("deps").database.sql, principal.sessionId);
    return c.body(null, 204);
  });

/**
 * Counts a sign-up against the client's IP (SIGNUP_RATE_LIMIT_PER_HOUR), before the
 * costly argon2 hash. @throws RateLimitedError (429, with Retry-After in seconds)
 */
export async function limitSignups(c: Context<AppEnv>): Promise<void> {
  const { env, rateLimits } = c.get("deps");
  try {
    await rateLimits.signups.consume(clientIp(c, env.TRUST_PROXY === "1"));
  } catch (res) {
    if (!(res instanceof RateLimiterRes)) throw res;
    throw new RateLimitedError(res.msBeforeNext, "Too many sign-ups from your network.");
  }
}
