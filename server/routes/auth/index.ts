import { randomBytes } from "node:crypto";
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { hash, verify } from "@node-rs/argon2";
import { RateLimiterRes } from "rate-limiter-flexible";
import { newId } from "../../../db/ids";
import { openAccount } from "../../../db/ledger/open-account";
import { assertAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../auth/password-policy";
import { endSession, startSession } from "../../auth/sessions";
import { clientIp } from "../../client-ip";
import type { AppEnv } from "../../context";
import { ApiError, RateLimitedError } from "../../errors";
import { requireSession } from "../../middleware/auth";
import { createRouter } from "../router";
import { errors } from "../../openapi/route-docs";
import { Currency, jsonBody, jsonResponse } from "../schemas";
import { MeSchema, loadMe } from "../me/load-me";

/** argon2id parameters: OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane). */
export const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

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

const signup = createRoute({
  method: "post",
  path: "/auth/signup",
  operationId: "signUp",
  tags: ["auth"],
  summary: "Create a user and their prepaid account; starts a session",
  description: "Sign-ups per client IP are limited (SIGNUP_RATE_LIMIT_PER_HOUR): 429 with Retry-After.",
  security: [],
  request: jsonBody(SignupBody),
  responses: { 201: jsonResponse(MeSchema, "Signed up"), ...errors("password_too_short", "password_blank", "password_too_common", "email_taken", "rate_limited") },
});

const login = createRoute({
  method: "post",
  path: "/auth/login",
  operationId: "logIn",
  tags: ["auth"],
  summary: "Log in; sets the session cookie",
  description: "Failed log-ins are throttled per email and client IP: 429 with Retry-After.",
  security: [],
  request: jsonBody(LoginBody),
  responses: { 200: jsonResponse(MeSchema, "Logged in"), ...errors("invalid_credentials", "rate_limited") },
});

const logout = createRoute({
  method: "post",
  path: "/auth/logout",
  operationId: "logOut",
  tags: ["auth"],
  summary: "End the session",
  middleware: [requireSession()] as const,
  responses: { 204: { description: "Logged out" } },
});

export const authRoutes = createRouter()
  .openapi(signup, async (c) => {
    const input = c.req.valid("json");
    const { sql } = c.get("deps").database;
    assertAcceptablePassword(input.password);
    await limitSignups(c);
    const passwordHash = await hash(input.password, ARGON2);
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
    const passwordOk = await verify(user?.password_hash ?? (await dummyHash()), password);
    if (!user || !passwordOk) {
      await rateLimits.logins.failed(email, ip);
      throw new ApiError("invalid_credentials", "Email or password is wrong.");
    }
    await rateLimits.logins.succeeded(email, ip);
    await startSession(c, database.sql, user.id, user.account_id);
    return c.json(await loadMe(database.sql, user.id), 200);
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

let dummy: Promise<string> | undefined;
/** An argon2 hash of a random password with our parameters, made once per process. */
function dummyHash(): Promise<string> {
  dummy ??= hash(randomBytes(16).toString("hex"), ARGON2);
  return dummy;
}
