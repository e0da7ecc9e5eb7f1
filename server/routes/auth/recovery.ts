import { createRoute, z } from "@hono/zod-openapi";
import { confirmEmail, requestPasswordReset, resetPassword } from "../../../db/auth/user-tokens";
import { hashPassword } from "../../auth/passwords";
import { assertAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../auth/password-policy";
import { newSecret, sha256Hex } from "../../auth/tokens";
import { clientIp } from "../../client-ip";
import { ApiError } from "../../errors";
import { errors } from "../../openapi/route-docs";
import { consumeLimit } from "../../rate-limits";
import { createRouter } from "../router";
import { jsonBody, jsonResponse } from "../schemas";

/** The token of an emailed link (`newSecret("")`: 43 base64url characters). */
const TokenParam = z.object({ token: z.string().min(1).max(128) });

const ResetRequestBody = z
  .object({
    email: z
      .string()
      .max(254)
      .transform((s) => s.trim().toLowerCase()),
  })
  .openapi("PasswordResetRequest");

const NewPasswordBody = z
  .object({
    password: z
      .string()
      .max(PASSWORD_MAX_LENGTH)
      .openapi({
        description: `The new password: the sign-up rules (at least ${PASSWORD_MIN_LENGTH} characters, not a common one).`,
      }),
  })
  .openapi("PasswordResetConfirm");

/** The link a password reset email carries: the portal's reset page. */
export const passwordResetUrl = (publicUrl: string, token: string) => `${publicUrl}/reset-password/${token}`;
/** Where someone who did not change their password starts a reset. */
export const forgotPasswordUrl = (publicUrl: string) => `${publicUrl}/forgot-password`;
/** The link a verification email carries: the portal's verify page. */
export const verifyEmailUrl = (publicUrl: string, token: string) => `${publicUrl}/verify-email/${token}`;

const requestReset = createRoute({
  method: "post",
  path: "/auth/password-reset",
  operationId: "requestPasswordReset",
  tags: ["auth"],
  summary: "Email a password reset link (single-use, 30 minutes); 202 whether or not the email has an account",
  description:
    "The answer and its timing are the same for unknown emails. Limited to 5 requests per email and 30 per client IP " +
    "per hour (429 with Retry-After), unknown emails counted alike.",
  security: [],
  request: jsonBody(ResetRequestBody),
  responses: { 202: { description: "If the email has an account, a link is on its way" }, ...errors("rate_limited") },
});

const completeReset = createRoute({
  method: "post",
  path: "/auth/password-reset/{token}",
  operationId: "resetPassword",
  tags: ["auth"],
  summary: "Set a new password with a reset link's token; ends every session of the user and emails a notice",
  description:
    "404 not_found when the link is unknown, already used or expired. Does not log in: log in with the new password.",
  security: [],
  request: { params: TokenParam, ...jsonBody(NewPasswordBody) },
  responses: {
    204: { description: "Password set" },
    ...errors("password_too_short", "password_blank", "password_too_common", "not_found"),
  },
});

const verifyEmail = createRoute({
  method: "post",
  path: "/auth/email-verification/{token}",
  operationId: "verifyEmail",
  tags: ["auth"],
  summary: "Confirm an email address with a verification link's token (at sign-up, or a change of log-in email)",
  description:
    "The link's address becomes the user's verified log-in email. 404 not_found when the link is unknown, used or " +
    "expired; 409 email_taken when another user has the address by now.",
  security: [],
  request: { params: TokenParam },
  responses: {
    200: jsonResponse(z.object({ email: z.string() }).openapi("EmailVerified"), "Verified"),
    ...errors("not_found", "email_taken"),
  },
});

const linkGone = () =>
  new ApiError(
    "not_found",
    "This link is not valid: it was already used, has expired, or is incomplete. Ask for a new one.",
  );

export const recoveryRoutes = createRouter()
  .openapi(requestReset, async (c) => {
    const { email } = c.req.valid("json");
    const { database, env, publicUrl, rateLimits } = c.get("deps");
    const what = "Too many password reset requests.";
    await consumeLimit(rateLimits.passwordResets.perIp, clientIp(c, env.TRUST_PROXY === "1"), what);
    await consumeLimit(rateLimits.passwordResets.perEmail, email, what);
    const token = newSecret("");
    // After the answer, not before: whether there was an account, and the time storing the
    // link and enqueueing its email take, never shows in the response (OWASP Forgot Password
    // Cheat Sheet: "return a consistent message ... in consistent time"). A failure is
    // logged; the person asks again.
    void requestPasswordReset(database.sql, {
      email,
      tokenHash: sha256Hex(token),
      url: passwordResetUrl(publicUrl, token),
    }).catch((err: unknown) => c.get("log").error({ err }, "password reset request failed"));
    return c.body(null, 202);
  })
  .openapi(completeReset, async (c) => {
    const { password } = c.req.valid("json");
    const { database, publicUrl, rateLimits } = c.get("deps");
    assertAcceptablePassword(password); // before the link is used up: a refused password can be retried
    const reset = await resetPassword(database.sql, {
      tokenHash: sha256Hex(c.req.valid("param").token),
      passwordHash: await hashPassword(password),
      resetUrl: forgotPasswordUrl(publicUrl),
      requestId: c.get("requestId"),
    });
    if (!reset) throw linkGone();
    await rateLimits.logins.clear(reset.email);
    return c.body(null, 204);
  })
  .openapi(verifyEmail, async (c) => {
    const result = await confirmEmail(c.get("deps").database.sql, {
      tokenHash: sha256Hex(c.req.valid("param").token),
      requestId: c.get("requestId"),
    });
    if (result.status === "invalid") throw linkGone();
    if (result.status === "email_taken")
      throw new ApiError("email_taken", "Another account uses this email address by now.");
    return c.json({ email: result.email }, 200);
  });
