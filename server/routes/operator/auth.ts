import { createRoute, z } from "@hono/zod-openapi";
import { recordAudit } from "../../../db/audit/record-audit";
import type { Queryable } from "../../../db/client";
import { getOperatorUser, setOperatorPassword } from "../../../db/operators/operator-users";
import { completeLoginChallenge, createLoginChallenge } from "../../auth/login-challenges";
import { endOperatorSession, startOperatorSession } from "../../auth/operator-sessions";
import { assertAcceptablePassword, PASSWORD_MAX_LENGTH } from "../../auth/password-policy";
import { hashPassword, verifyPassword } from "../../auth/passwords";
import { confirmTotpEnrolment, getTotpStatus, startTotpEnrolment } from "../../auth/totp";
import { clientIp } from "../../client-ip";
import { ApiError } from "../../errors";
import { operatorSessionOf, requireOperator } from "../../middleware/operator";
import { errors } from "../../openapi/route-docs";
import { TwoFactorChallengeSchema, TwoFactorLoginBody } from "../auth/index";
import { RecoveryCodesSchema, toTwoFactorStatus, TotpEnrolmentSchema, TwoFactorCodeBody, TwoFactorStatusSchema } from "../me/two-factor";
import { createRouter } from "../router";
import { jsonBody, jsonResponse } from "../schemas";

/** The issuer operators' authenticator apps show, apart from a customer login on the same phone. */
const OPERATOR_TOTP_ISSUER = "Live balance operator";

const OperatorMeSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.enum(["admin", "support"]),
    twoFactorEnabled: z.boolean().openapi({ description: "false right after the first log-in: only enrolment opens until it is done." }),
  })
  .openapi("OperatorMe");

const LoginBody = z
  .object({ email: z.string().max(254).transform((s) => s.toLowerCase()), password: z.string().max(PASSWORD_MAX_LENGTH) })
  .openapi("OperatorLoginRequest");

const SetPasswordBody = z
  .object({ token: z.string().min(1).max(200), password: z.string().max(PASSWORD_MAX_LENGTH) })
  .strict()
  .openapi("OperatorSetPasswordRequest");

const OPERATOR_ME = "/operator/me";

const login = createRoute({
  method: "post",
  path: "/operator/auth/login",
  operationId: "operatorLogIn",
  tags: ["operator"],
  summary: "Operator log-in, step 1: the password. 202 asks for the TOTP code; 200 (no TOTP yet) opens only the enrolment",
  description: "Throttled per email and client IP like the portal's log-in (429 with Retry-After). Sets the `lb_operator` cookie.",
  security: [],
  request: jsonBody(LoginBody),
  responses: {
    200: jsonResponse(OperatorMeSchema, "Logged in; TOTP enrolment is due"),
    202: jsonResponse(TwoFactorChallengeSchema, "Password correct; the TOTP code is due"),
    ...errors("invalid_credentials", "rate_limited"),
  },
});

const loginTwoFactor = createRoute({
  method: "post",
  path: "/operator/auth/login/two-factor",
  operationId: "operatorLogInTwoFactor",
  tags: ["operator"],
  summary: "Operator log-in, step 2: a TOTP or recovery code; sets the `lb_operator` cookie",
  security: [],
  request: jsonBody(TwoFactorLoginBody),
  responses: { 200: jsonResponse(OperatorMeSchema, "Logged in"), ...errors("login_challenge_expired", "invalid_two_factor_code", "rate_limited") },
});

const setPassword = createRoute({
  method: "post",
  path: "/operator/auth/set-password",
  operationId: "operatorSetPassword",
  tags: ["operator"],
  summary: "Set the password with the one-time link's token (npm run operator:create, or an admin); logs in for TOTP enrolment",
  description: "404 for an unknown, used or expired (24 h) token.",
  security: [],
  request: jsonBody(SetPasswordBody),
  responses: {
    200: jsonResponse(OperatorMeSchema, "Password set; TOTP enrolment is due"),
    ...errors("not_found", "password_too_short", "password_blank", "password_too_common"),
  },
});

const logout = createRoute({
  method: "post",
  path: "/operator/auth/logout",
  operationId: "operatorLogOut",
  tags: ["operator"],
  summary: "End the operator session",
  middleware: [requireOperator({ sessionOnly: true, beforeTwoFactor: true })] as const,
  responses: { 204: { description: "Logged out" } },
});

const me = createRoute({
  method: "get",
  path: OPERATOR_ME,
  operationId: "getOperatorMe",
  tags: ["operator"],
  summary: "The logged-in operator",
  middleware: [requireOperator({ sessionOnly: true, beforeTwoFactor: true })] as const,
  responses: { 200: jsonResponse(OperatorMeSchema, "The operator") },
});

const twoFactorStatus = createRoute({
  method: "get",
  path: `${OPERATOR_ME}/two-factor`,
  operationId: "getOperatorTwoFactor",
  tags: ["operator"],
  summary: "The operator's TOTP state and recovery codes left",
  middleware: [requireOperator({ sessionOnly: true, beforeTwoFactor: true })] as const,
  responses: { 200: jsonResponse(TwoFactorStatusSchema, "Two-factor state") },
});

const startEnrolment = createRoute({
  method: "post",
  path: `${OPERATOR_ME}/two-factor/enrolment`,
  operationId: "startOperatorTwoFactorEnrolment",
  tags: ["operator"],
  summary: "Start the operator's TOTP enrolment (mandatory before any operator route opens)",
  middleware: [requireOperator({ sessionOnly: true, beforeTwoFactor: true })] as const,
  responses: { 201: jsonResponse(TotpEnrolmentSchema, "Scan the QR code, then confirm"), ...errors("two_factor_already_enabled") },
});

const confirmEnrolment = createRoute({
  method: "post",
  path: `${OPERATOR_ME}/two-factor/enrolment/confirm`,
  operationId: "confirmOperatorTwoFactorEnrolment",
  tags: ["operator"],
  summary: "Confirm the operator's TOTP enrolment; returns the recovery codes (once). The console then opens",
  middleware: [requireOperator({ sessionOnly: true, beforeTwoFactor: true })] as const,
  request: jsonBody(TwoFactorCodeBody),
  responses: {
    200: jsonResponse(RecoveryCodesSchema, "TOTP is on"),
    ...errors("two_factor_not_started", "two_factor_already_enabled", "invalid_two_factor_code"),
  },
});

/** The operator's log-in (password + mandatory TOTP), set-password link, profile and TOTP enrolment. */
export const operatorAuthRoutes = createRouter()
  .openapi(login, async (c) => {
    const { email, password } = c.req.valid("json");
    const { database, env, rateLimits } = c.get("deps");
    const ip = clientIp(c, env.TRUST_PROXY === "1");
    const throttleKey = `operator:${email}`;
    await rateLimits.logins.check(throttleKey, ip);
    const [operator] = await database.sql<{ id: string; password_hash: string | null }[]>`
      SELECT id, password_hash FROM operator_users WHERE email = ${email} AND disabled_at IS NULL`;
    if (!(await verifyPassword(operator?.password_hash, password)) || !operator) {
      await rateLimits.logins.failed(throttleKey, ip);
      throw new ApiError("invalid_credentials", "Email or password is wrong.");
    }
    await rateLimits.logins.succeeded(throttleKey, ip);
    if ((await getTotpStatus(database.sql, operator.id)).enabled) {
      const challenge = await createLoginChallenge(database.sql, operator.id, null);
      return c.json({ twoFactorRequired: true as const, token: challenge.token, expiresAt: challenge.expiresAt.toISOString() }, 202);
    }
    await startOperatorSession(c, database.sql, operator.id);
    return c.json(await loadOperatorMe(database.sql, operator.id), 200);
  })
  .openapi(loginTwoFactor, async (c) => {
    const { token, code } = c.req.valid("json");
    const { database, env, rateLimits } = c.get("deps");
    const ip = clientIp(c, env.TRUST_PROXY === "1");
    const { subjectId } = await completeLoginChallenge(database.sql, { token, code, ip, throttle: rateLimits.logins });
    if (!subjectId.startsWith("opu_")) throw new ApiError("login_challenge_expired", "This is not an operator log-in.");
    await startOperatorSession(c, database.sql, subjectId);
    return c.json(await loadOperatorMe(database.sql, subjectId), 200);
  })
  .openapi(setPassword, async (c) => {
    const { token, password } = c.req.valid("json");
    const { sql } = c.get("deps").database;
    assertAcceptablePassword(password);
    const operatorId = await setOperatorPassword(sql, token, await hashPassword(password), c.get("requestId"));
    if (!operatorId) throw new ApiError("not_found", "This link is invalid, used or expired. Ask an admin for a new one.");
    await startOperatorSession(c, sql, operatorId);
    return c.json(await loadOperatorMe(sql, operatorId), 200);
  })
  .openapi(logout, async (c) => {
    await endOperatorSession(c, c.get("deps").database.sql, operatorSessionOf(c)!.sessionId);
    return c.body(null, 204);
  })
  .openapi(me, async (c) => c.json(await loadOperatorMe(c.get("deps").database.sql, operatorSessionOf(c)!.operatorUserId), 200))
  .openapi(twoFactorStatus, async (c) => {
    return c.json(toTwoFactorStatus(await getTotpStatus(c.get("deps").database.sql, operatorSessionOf(c)!.operatorUserId)), 200);
  })
  .openapi(startEnrolment, async (c) => {
    const session = operatorSessionOf(c)!;
    return c.json(await startTotpEnrolment(c.get("deps").database.sql, session.operatorUserId, session.email, OPERATOR_TOTP_ISSUER), 201);
  })
  .openapi(confirmEnrolment, async (c) => {
    const { operatorUserId } = operatorSessionOf(c)!;
    const recoveryCodes = await c.get("deps").database.sql.begin(async (tx) => {
      const codes = await confirmTotpEnrolment(tx, operatorUserId, c.req.valid("json").code);
      await recordAudit(tx, {
        actor: `operator:${operatorUserId}`,
        action: "operator_user.two_factor_enabled",
        targetId: operatorUserId,
        before: { twoFactorEnabled: false },
        after: { twoFactorEnabled: true },
        requestId: c.get("requestId"),
      });
      return codes;
    });
    return c.json({ recoveryCodes }, 200);
  });

async function loadOperatorMe(q: Queryable, id: string): Promise<z.infer<typeof OperatorMeSchema>> {
  const user = await getOperatorUser(q, id);
  if (!user) throw new ApiError("unauthenticated", "Log in first.");
  return { id: user.id, email: user.email, role: user.role, twoFactorEnabled: user.twoFactorEnabled };
}
