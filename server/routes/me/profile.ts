import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requestEmailChange, sendEmailVerification, setPassword } from "../../../db/auth/user-tokens";
import { hashPassword, verifyPassword } from "../../auth/passwords";
import { assertAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../auth/password-policy";
import { newSecret, sha256Hex } from "../../auth/tokens";
import { clientIp } from "../../client-ip";
import type { AppEnv } from "../../context";
import { ApiError } from "../../errors";
import { requireSession, sessionOf } from "../../middleware/auth";
import { errors } from "../../openapi/route-docs";
import { consumeLimit } from "../../rate-limits";
import { forgotPasswordUrl, verifyEmailUrl } from "../auth/recovery";
import { createRouter } from "../router";
import { jsonBody } from "../schemas";

const CurrentPassword = z
  .string()
  .max(PASSWORD_MAX_LENGTH)
  .openapi({ description: "The password the user logs in with now" });

const ChangePasswordBody = z
  .object({
    currentPassword: CurrentPassword,
    newPassword: z
      .string()
      .max(PASSWORD_MAX_LENGTH)
      .openapi({ description: `The sign-up rules: at least ${PASSWORD_MIN_LENGTH} characters, not a common one` }),
  })
  .strict()
  .openapi("ChangePasswordRequest");

const ChangeEmailBody = z
  .object({
    email: z
      .email()
      .max(254)
      .transform((s) => s.toLowerCase()),
    currentPassword: CurrentPassword,
  })
  .strict()
  .openapi("ChangeEmailRequest");

const VERIFICATION_LIMITED = "Too many verification emails for this user.";

/**
 * Checks the logged-in user's current password, counted by the log-in throttle like a
 * log-in (a stolen session cannot guess it faster than a log-in form could).
 * @returns the user's log-in email
 * @throws ApiError invalid_credentials (401), RateLimitedError (429)
 */
async function assertCurrentPassword(c: Context<AppEnv>, userId: string, password: string): Promise<string> {
  const { database, env, rateLimits } = c.get("deps");
  const [user] = await database.sql<
    { email: string; password_hash: string }[]
  >`SELECT email, password_hash FROM users WHERE id = ${userId}`;
  if (!user) throw new ApiError("unauthenticated", "Log in first.");
  const ip = clientIp(c, env.TRUST_PROXY === "1");
  await rateLimits.logins.check(user.email, ip);
  if (!(await verifyPassword(user.password_hash, password))) {
    await rateLimits.logins.failed(user.email, ip);
    throw new ApiError("invalid_credentials", "The current password is wrong.");
  }
  return user.email;
}

export const profileRoutes = createRouter()
  .openapi(
    createRoute({
      method: "put",
      path: "/me/password",
      operationId: "changePassword",
      tags: ["auth"],
      summary: "Change the password (the current one required); ends every other session and emails a notice",
      middleware: [requireSession()] as const,
      request: jsonBody(ChangePasswordBody),
      responses: {
        204: { description: "Changed" },
        ...errors("password_too_short", "password_blank", "password_too_common", "invalid_credentials", "rate_limited"),
      },
    }),
    async (c) => {
      const { userId, sessionId } = sessionOf(c);
      const { currentPassword, newPassword } = c.req.valid("json");
      assertAcceptablePassword(newPassword);
      await assertCurrentPassword(c, userId, currentPassword);
      const passwordHash = await hashPassword(newPassword);
      const { database, publicUrl } = c.get("deps");
      await database.sql.begin((tx) =>
        setPassword(tx, {
          userId,
          passwordHash,
          keepSessionId: sessionId,
          action: "user.password_changed",
          resetUrl: forgotPasswordUrl(publicUrl),
          requestId: c.get("requestId"),
        }),
      );
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/me/email",
      operationId: "changeEmail",
      tags: ["auth"],
      summary:
        "Change the log-in email (the current password required): the new address gets a link and becomes the log-in email when it is opened",
      description:
        "The current address is told of the request. Verification emails are limited to 5 per user per hour (429). " +
        "409 email_taken when another user has the address.",
      middleware: [requireSession()] as const,
      request: jsonBody(ChangeEmailBody),
      responses: {
        202: { description: "The link is on its way to the new address" },
        ...errors("email_taken", "invalid_credentials", "rate_limited"),
      },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const { email, currentPassword } = c.req.valid("json");
      const { database, publicUrl, rateLimits } = c.get("deps");
      const current = await assertCurrentPassword(c, userId, currentPassword);
      if (email === current) throw new ApiError("email_taken", "This is already your log-in email.");
      const [taken] = await database.sql`SELECT 1 FROM users WHERE email = ${email}`;
      if (taken) throw new ApiError("email_taken", "Another account uses this email address.");
      await consumeLimit(rateLimits.verificationEmails, userId, VERIFICATION_LIMITED);
      const token = newSecret("");
      await requestEmailChange(database.sql, {
        userId,
        newEmail: email,
        tokenHash: sha256Hex(token),
        url: verifyEmailUrl(publicUrl, token),
        profileUrl: `${publicUrl}/profile`,
        requestId: c.get("requestId"),
      });
      return c.body(null, 202);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/me/email-verification",
      operationId: "resendEmailVerification",
      tags: ["auth"],
      summary:
        "Send a new verification link to the log-in email (earlier links stop working); nothing when it is verified",
      description: "Verification emails are limited to 5 per user per hour (429 with Retry-After).",
      middleware: [requireSession()] as const,
      responses: {
        202: { description: "A link is on its way, unless the address is verified" },
        ...errors("rate_limited"),
      },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const { database, publicUrl, rateLimits } = c.get("deps");
      const [user] = await database.sql<{ email: string; verified: boolean }[]>`
        SELECT email, email_verified_at IS NOT NULL AS verified FROM users WHERE id = ${userId}`;
      if (user && !user.verified) {
        await consumeLimit(rateLimits.verificationEmails, userId, VERIFICATION_LIMITED);
        const token = newSecret("");
        await database.sql.begin((tx) =>
          sendEmailVerification(tx, {
            userId,
            email: user.email,
            tokenHash: sha256Hex(token),
            url: verifyEmailUrl(publicUrl, token),
          }),
        );
      }
      return c.body(null, 202);
    },
  );
