import { randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";
import type { Queryable } from "../../db/client";
import { ApiError } from "../errors";
import { sha256Hex } from "./tokens";

/**
 * TOTP second factors (RFC 6238: SHA-1, 6 digits, 30-second steps, the parameters every
 * authenticator app reads) for portal users and operator users alike, keyed by the user's
 * id (`subjectId`), on the otpauth library. Tables: totp_credentials, totp_recovery_codes
 * (db/schema/two-factor.ts).
 *
 * - A code is accepted in its own step and one step either side (clock drift, RFC 6238
 *   section 5.2 recommends at most one step), and at most once: the accepted step is stored
 *   and a code of that step or an earlier one is refused (replay protection, section 5.2).
 * - RECOVERY_CODE_COUNT recovery codes of 50 random bits each are shown once, stored as
 *   SHA-256 (random secrets this long need no slow hash, as session tokens), single-use.
 * - The secret is returned only by `startTotpEnrolment`; afterwards it never leaves the server.
 *   It is stored as it is (base32) in totp_credentials: the server must read it to check codes,
 *   so encrypting it only helps with a key kept outside the database (a configured key or
 *   KMS), which this deployment does not have yet.
 */

/** The issuer an authenticator app shows above the account name. */
export const TOTP_ISSUER = "Live balance";
/** Seconds per TOTP step (RFC 6238 default, what authenticator apps assume). */
export const TOTP_PERIOD_S = 30;
/** Steps accepted either side of the current one. */
const TOTP_WINDOW_STEPS = 1;
/** Recovery codes issued at a time (GitHub and Google issue 10). */
export const RECOVERY_CODE_COUNT = 10;
/** Secret length: 20 bytes = 160 bits, the HMAC-SHA-1 key length RFC 4226 section 4 recommends. */
const SECRET_BYTES = 20;

const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";

/** What an enrolment start returns: shown once, for the user to scan or type. */
export interface TotpEnrolment {
  /** base32 secret (RFC 4648), for typing into an authenticator app. */
  secret: string;
  /** `otpauth://totp/...` key URI (Google Authenticator key URI format). */
  otpauthUri: string;
  /** The URI as a QR code, an SVG document. */
  qrCodeSvg: string;
}

/** Whether a subject's second factor is in force. */
export interface TotpStatus {
  enabled: boolean;
  enabledAt: Date | null;
  /** Unused recovery codes (0 when not enabled). */
  recoveryCodesLeft: number;
}

/** The two-factor state of `subjectId`. */
export async function getTotpStatus(q: Queryable, subjectId: string): Promise<TotpStatus> {
  const [row] = await q<{ confirmed_at: Date | null; left: string }[]>`
    SELECT c.confirmed_at,
           (SELECT count(*) FROM totp_recovery_codes r WHERE r.subject_id = c.subject_id AND r.used_at IS NULL) AS left
      FROM totp_credentials c WHERE c.subject_id = ${subjectId}`;
  if (!row?.confirmed_at) return { enabled: false, enabledAt: null, recoveryCodesLeft: 0 };
  return { enabled: true, enabledAt: row.confirmed_at, recoveryCodesLeft: Number(row.left) };
}

/**
 * Starts (or restarts) enrolment: a new secret, not in force until confirmed.
 * `label` is the account name the app shows (the user's email).
 * @throws ApiError two_factor_already_enabled (409) when a confirmed factor exists
 */
export async function startTotpEnrolment(q: Queryable, subjectId: string, label: string, issuer = TOTP_ISSUER): Promise<TotpEnrolment> {
  const secret = new Secret({ size: SECRET_BYTES }).base32;
  const rows = await q`
    INSERT INTO totp_credentials (subject_id, secret) VALUES (${subjectId}, ${secret})
    ON CONFLICT (subject_id) DO UPDATE SET secret = EXCLUDED.secret, last_step = NULL, created_at = now()
      WHERE totp_credentials.confirmed_at IS NULL
    RETURNING 1`;
  if (rows.length === 0) throw new ApiError("two_factor_already_enabled", "Two-factor log-in is already on. Turn it off first to enrol a new device.");
  const otpauthUri = totpOf(secret, label, issuer).toString();
  return { secret, otpauthUri, qrCodeSvg: await QRCode.toString(otpauthUri, { type: "svg", margin: 2, errorCorrectionLevel: "M" }) };
}

/**
 * Confirms enrolment with a code from the app; the factor is then in force.
 * @returns the RECOVERY_CODE_COUNT recovery codes, to show once
 * @throws ApiError two_factor_not_started (409) without a started enrolment,
 *   two_factor_already_enabled (409), invalid_two_factor_code (422)
 */
export async function confirmTotpEnrolment(q: Queryable, subjectId: string, code: string): Promise<string[]> {
  const [row] = await q<{ confirmed_at: Date | null }[]>`SELECT confirmed_at FROM totp_credentials WHERE subject_id = ${subjectId}`;
  if (!row) throw new ApiError("two_factor_not_started", "Start the enrolment first: scan the QR code, then enter a code.");
  if (row.confirmed_at) throw new ApiError("two_factor_already_enabled", "Two-factor log-in is already on.");
  if (!(await acceptTotpCode(q, subjectId, code))) throw invalidCode();
  await q`UPDATE totp_credentials SET confirmed_at = now() WHERE subject_id = ${subjectId}`;
  return replaceRecoveryCodes(q, subjectId);
}

/**
 * Checks a second factor at log-in or before a sensitive change: a 6-digit TOTP code (once
 * per step) or an unused recovery code (then spent). Whitespace and dashes are ignored.
 * @returns true when accepted; false for a wrong, replayed or spent code, or no factor in force
 */
export async function verifySecondFactor(q: Queryable, subjectId: string, code: string): Promise<boolean> {
  const normalized = code.replace(/[\s-]/g, "").toLowerCase();
  if (/^\d{6}$/.test(normalized)) {
    return acceptTotpCode(q, subjectId, normalized, { confirmedOnly: true });
  }
  const spent = await q`
    UPDATE totp_recovery_codes r SET used_at = now()
      FROM totp_credentials c
     WHERE r.code_hash = ${sha256Hex(normalized)} AND r.subject_id = ${subjectId} AND r.used_at IS NULL
       AND c.subject_id = r.subject_id AND c.confirmed_at IS NOT NULL
    RETURNING 1`;
  return spent.length === 1;
}

/**
 * Like verifySecondFactor, throwing instead of returning false.
 * @throws ApiError invalid_two_factor_code (422)
 */
export async function assertSecondFactor(q: Queryable, subjectId: string, code: string): Promise<void> {
  if (!(await verifySecondFactor(q, subjectId, code))) throw invalidCode();
}

/**
 * Replaces the subject's recovery codes with RECOVERY_CODE_COUNT new ones (the old ones
 * stop working). @returns the codes, `xxxxx-xxxxx`, to show once
 * @throws ApiError two_factor_not_enabled (422) without a confirmed factor
 */
export async function regenerateRecoveryCodes(q: Queryable, subjectId: string): Promise<string[]> {
  const status = await getTotpStatus(q, subjectId);
  if (!status.enabled) throw new ApiError("two_factor_not_enabled", "Two-factor log-in is not on.");
  return replaceRecoveryCodes(q, subjectId);
}

/** Removes the subject's factor and recovery codes (no-op without one). */
export async function removeTotp(q: Queryable, subjectId: string): Promise<void> {
  await q`DELETE FROM totp_credentials WHERE subject_id = ${subjectId}`;
}

function totpOf(secret: string, label: string, issuer: string): TOTP {
  return new TOTP({ issuer, label, algorithm: "SHA1", digits: 6, period: TOTP_PERIOD_S, secret: Secret.fromBase32(secret) });
}

/**
 * Accepts `code` when it matches a step within the window that is later than the last
 * accepted one, and records that step, in one conditional UPDATE (two requests with the
 * same code: one wins).
 */
async function acceptTotpCode(q: Queryable, subjectId: string, code: string, options: { confirmedOnly?: boolean } = {}): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const [row] = await q<{ secret: string; confirmed_at: Date | null }[]>`
    SELECT secret, confirmed_at FROM totp_credentials WHERE subject_id = ${subjectId}`;
  if (!row || (options.confirmedOnly && !row.confirmed_at)) return false;
  const nowMs = Date.now();
  const delta = totpOf(row.secret, "", TOTP_ISSUER).validate({ token: code, timestamp: nowMs, window: TOTP_WINDOW_STEPS });
  if (delta === null) return false;
  const step = Math.floor(nowMs / 1000 / TOTP_PERIOD_S) + delta;
  const accepted = await q`
    UPDATE totp_credentials SET last_step = ${step}
     WHERE subject_id = ${subjectId} AND (last_step IS NULL OR last_step < ${step})
    RETURNING 1`;
  return accepted.length === 1;
}

async function replaceRecoveryCodes(q: Queryable, subjectId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await q`DELETE FROM totp_recovery_codes WHERE subject_id = ${subjectId}`;
  await q`
    INSERT INTO totp_recovery_codes (code_hash, subject_id)
    SELECT h, ${subjectId} FROM unnest(${codes.map((c) => sha256Hex(c.replace("-", "")))}::text[]) AS h`;
  return codes;
}

/** `xxxxx-xxxxx` of Crockford base32 (no i, l, o, u: nothing to misread): 50 random bits. */
function newRecoveryCode(): string {
  const chars = [...randomBytes(10)].map((b) => CROCKFORD[b & 31]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

function invalidCode(): ApiError {
  return new ApiError("invalid_two_factor_code", "That code is not valid. Enter the current code from your app or an unused recovery code.");
}
