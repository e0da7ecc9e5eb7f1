import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { recordAudit } from "../../../db/audit/record-audit";
import type { Queryable } from "../../../db/client";
import type { AppEnv } from "../../context";
import { verifyPassword } from "../../auth/passwords";
import {
  assertSecondFactor,
  confirmTotpEnrolment,
  getTotpStatus,
  regenerateRecoveryCodes,
  removeTotp,
  startTotpEnrolment,
  type TotpStatus,
} from "../../auth/totp";
import { ApiError } from "../../errors";
import { requireSession, requireSessionBeforeTwoFactor, sessionOf } from "../../middleware/auth";
import { errors } from "../../openapi/route-docs";
import { createRouter } from "../router";
import { jsonBody, jsonResponse } from "../schemas";

export const TwoFactorStatusSchema = z
  .object({
    enabled: z.boolean(),
    enabledAt: z.iso.datetime().nullable(),
    recoveryCodesLeft: z.number().int().openapi({ description: "Unused recovery codes." }),
  })
  .openapi("TwoFactorStatus");

export const TotpEnrolmentSchema = z
  .object({
    secret: z.string().openapi({ description: "base32 secret, for typing into an authenticator app. Shown only now." }),
    otpauthUri: z.string().openapi({ example: "otpauth://totp/Live%20balance:ada%40example.com?issuer=Live%20balance&secret=..." }),
    qrCodeSvg: z.string().openapi({ description: "The otpauthUri as a QR code (an SVG document)." }),
  })
  .openapi("TotpEnrolment");

export const RecoveryCodesSchema = z
  .object({
    recoveryCodes: z.array(z.string()).openapi({ description: "10 single-use codes, shown only now; each replaces a TOTP code once." }),
  })
  .openapi("RecoveryCodes");

export const TwoFactorCodeBody = z
  .object({ code: z.string().trim().min(6).max(20).openapi({ description: "The current 6-digit code of the authenticator app." }) })
  .strict()
  .openapi("TwoFactorCodeRequest");

const DisableBody = z
  .object({
    password: z.string().min(1).max(256),
    code: z.string().trim().min(6).max(20).openapi({ description: "A current TOTP code or an unused recovery code." }),
  })
  .strict()
  .openapi("DisableTwoFactorRequest");

const PolicySchema = z
  .object({ requireTwoFactor: z.boolean().openapi({ description: "Every member must use two-factor log-in." }) })
  .openapi("TwoFactorPolicy");

export const toTwoFactorStatus = (s: TotpStatus) => ({ ...s, enabledAt: s.enabledAt?.toISOString() ?? null });

const getStatus = createRoute({
  method: "get",
  path: "/me/two-factor",
  operationId: "getTwoFactor",
  tags: ["two-factor"],
  summary: "Whether the user's two-factor log-in (TOTP) is on, and how many recovery codes are left",
  middleware: [requireSessionBeforeTwoFactor()] as const,
  responses: { 200: jsonResponse(TwoFactorStatusSchema, "Two-factor state") },
});

const startEnrolment = createRoute({
  method: "post",
  path: "/me/two-factor/enrolment",
  operationId: "startTwoFactorEnrolment",
  tags: ["two-factor"],
  summary: "Start (or restart) TOTP enrolment: a new secret as QR code and text, not in force until confirmed",
  middleware: [requireSessionBeforeTwoFactor()] as const,
  responses: { 201: jsonResponse(TotpEnrolmentSchema, "Scan the QR code, then confirm with a code"), ...errors("two_factor_already_enabled") },
});

const confirmEnrolment = createRoute({
  method: "post",
  path: "/me/two-factor/enrolment/confirm",
  operationId: "confirmTwoFactorEnrolment",
  tags: ["two-factor"],
  summary: "Confirm TOTP enrolment with a code from the app; turns two-factor log-in on and returns the recovery codes (once)",
  middleware: [requireSessionBeforeTwoFactor()] as const,
  request: jsonBody(TwoFactorCodeBody),
  responses: {
    200: jsonResponse(RecoveryCodesSchema, "Two-factor log-in is on"),
    ...errors("two_factor_not_started", "two_factor_already_enabled", "invalid_two_factor_code"),
  },
});

const disable = createRoute({
  method: "post",
  path: "/me/two-factor/disable",
  operationId: "disableTwoFactor",
  tags: ["two-factor"],
  summary: "Turn two-factor log-in off (password and a code); 403 two_factor_required when the account requires it",
  middleware: [requireSession()] as const,
  request: jsonBody(DisableBody),
  responses: {
    204: { description: "Two-factor log-in is off" },
    ...errors("invalid_credentials", "invalid_two_factor_code", "two_factor_not_enabled"),
  },
});

const regenerate = createRoute({
  method: "post",
  path: "/me/two-factor/recovery-codes",
  operationId: "regenerateRecoveryCodes",
  tags: ["two-factor"],
  summary: "New recovery codes (the old ones stop working), shown once; needs a current code",
  middleware: [requireSession()] as const,
  request: jsonBody(TwoFactorCodeBody),
  responses: { 200: jsonResponse(RecoveryCodesSchema, "New recovery codes"), ...errors("invalid_two_factor_code", "two_factor_not_enabled") },
});

const getPolicy = createRoute({
  method: "get",
  path: "/account/two-factor-policy",
  operationId: "getTwoFactorPolicy",
  tags: ["two-factor"],
  summary: "Whether the account requires two-factor log-in of every member",
  middleware: [requireSession()] as const,
  responses: { 200: jsonResponse(PolicySchema, "The policy") },
});

const putPolicy = createRoute({
  method: "put",
  path: "/account/two-factor-policy",
  operationId: "setTwoFactorPolicy",
  tags: ["two-factor"],
  summary: "Require two-factor log-in of every member (owners only; the owner needs it on first). Members without it can then only enrol",
  middleware: [requireSession(["owner"])] as const,
  request: jsonBody(PolicySchema.strict()),
  responses: { 200: jsonResponse(PolicySchema, "The policy"), ...errors("two_factor_not_enabled") },
});

/** A portal user's own second factor (server/auth/totp.ts) and the account's two-factor policy; changes audited as `user:<id>`. */
export const twoFactorRoutes = createRouter()
  .openapi(getStatus, async (c) => {
    const { userId } = sessionOf(c);
    return c.json(toTwoFactorStatus(await getTotpStatus(c.get("deps").database.sql, userId)), 200);
  })
  .openapi(startEnrolment, async (c) => {
    const { userId } = sessionOf(c);
    const { sql } = c.get("deps").database;
    const [user] = await sql<{ email: string }[]>`SELECT email FROM users WHERE id = ${userId}`;
    return c.json(await startTotpEnrolment(sql, userId, user!.email), 201);
  })
  .openapi(confirmEnrolment, async (c) => {
    const { userId } = sessionOf(c);
    const recoveryCodes = await c.get("deps").database.sql.begin(async (tx) => {
      const codes = await confirmTotpEnrolment(tx, userId, c.req.valid("json").code);
      await audit(tx, c, "two_factor.enabled", { enabled: false }, { enabled: true });
      return codes;
    });
    return c.json({ recoveryCodes }, 200);
  })
  .openapi(disable, async (c) => {
    const { userId, accountId } = sessionOf(c);
    const { password, code } = c.req.valid("json");
    const { sql } = c.get("deps").database;
    const [row] = await sql<{ password_hash: string; require_two_factor: boolean }[]>`
      SELECT u.password_hash, a.require_two_factor FROM users u, accounts a WHERE u.id = ${userId} AND a.id = ${accountId}`;
    if (row!.require_two_factor) {
      throw new ApiError("two_factor_required", "Your account requires two-factor log-in; it cannot be turned off.");
    }
    if (!(await getTotpStatus(sql, userId)).enabled) throw new ApiError("two_factor_not_enabled", "Two-factor log-in is not on.");
    if (!(await verifyPassword(row!.password_hash, password))) throw new ApiError("invalid_credentials", "The password is wrong.");
    await sql.begin(async (tx) => {
      await assertSecondFactor(tx, userId, code);
      await removeTotp(tx, userId);
      await audit(tx, c, "two_factor.disabled", { enabled: true }, { enabled: false });
    });
    return c.body(null, 204);
  })
  .openapi(regenerate, async (c) => {
    const { userId } = sessionOf(c);
    const { sql } = c.get("deps").database;
    if (!(await getTotpStatus(sql, userId)).enabled) throw new ApiError("two_factor_not_enabled", "Two-factor log-in is not on.");
    // The code is checked (and a TOTP step spent) outside the transaction: a wrong code must not be rolled back into reuse.
    await assertSecondFactor(sql, userId, c.req.valid("json").code);
    const recoveryCodes = await sql.begin(async (tx) => {
      const codes = await regenerateRecoveryCodes(tx, userId);
      await audit(tx, c, "two_factor.recovery_codes_regenerated", null, null);
      return codes;
    });
    return c.json({ recoveryCodes }, 200);
  })
  .openapi(getPolicy, async (c) => {
    const [row] = await c.get("deps").database.sql<{ require_two_factor: boolean }[]>`
      SELECT require_two_factor FROM accounts WHERE id = ${sessionOf(c).accountId}`;
    return c.json({ requireTwoFactor: row!.require_two_factor }, 200);
  })
  .openapi(putPolicy, async (c) => {
    const { userId, accountId } = sessionOf(c);
    const { requireTwoFactor } = c.req.valid("json");
    const { sql } = c.get("deps").database;
    if (requireTwoFactor && !(await getTotpStatus(sql, userId)).enabled) {
      throw new ApiError("two_factor_not_enabled", "Turn on two-factor log-in for yourself before requiring it of every member.");
    }
    await sql.begin(async (tx) => {
      const [before] = await tx<{ require_two_factor: boolean }[]>`
        SELECT require_two_factor FROM accounts WHERE id = ${accountId} FOR UPDATE`;
      await tx`UPDATE accounts SET require_two_factor = ${requireTwoFactor}, updated_at = now() WHERE id = ${accountId}`;
      await recordAudit(tx, {
        actor: `user:${userId}`,
        action: "account.two_factor_policy_changed",
        targetId: accountId,
        before: { requireTwoFactor: before!.require_two_factor },
        after: { requireTwoFactor },
        requestId: c.get("requestId"),
      });
    });
    return c.json({ requireTwoFactor }, 200);
  });

/** Audits a change of the caller's own second factor (target: the user), on the change's transaction. */
function audit(tx: Queryable, c: Context<AppEnv>, action: string, before: unknown, after: unknown): Promise<void> {
  const { userId } = sessionOf(c);
  return recordAudit(tx, { actor: `user:${userId}`, action, targetId: userId, before, after, requestId: c.get("requestId") });
}
