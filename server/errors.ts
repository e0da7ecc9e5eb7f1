import { ZodError } from "zod";
import { type FieldIssue, LedgerError } from "../db/ledger/errors";

export type { FieldIssue };

/**
 * The one error class of the HTTP layer. `code` decides the status through
 * CODE_TO_STATUS; `message` is for people.
 */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * 429 rate_limited. The error handler sends `Retry-After` (RFC 9110, section 10.2.3) with
 * it, so every 429 tells the client when to try again.
 */
export class RateLimitedError extends ApiError {
  /** Whole seconds until the limit lets the request through (at least 1). */
  readonly retryAfterS: number;

  /** @param msBeforeNext milliseconds until the limit resets (rate-limiter-flexible's RateLimiterRes.msBeforeNext) */
  constructor(msBeforeNext: number, what: string) {
    const retryAfterS = Math.max(1, Math.ceil(msBeforeNext / 1000));
    super("rate_limited", `${what} Try again in ${describeWait(retryAfterS)}.`);
    this.retryAfterS = retryAfterS;
  }
}

/** "45 seconds", "1 minute", "15 minutes", "2 hours": a wait for people to read. */
function describeWait(seconds: number): string {
  const [n, unit] = seconds < 60 ? [seconds, "second"] : seconds < 3600 ? [Math.ceil(seconds / 60), "minute"] : [Math.ceil(seconds / 3600), "hour"];
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** Every error code the API returns, with its HTTP status (shared/DESIGN.md, "Errors"). */
export const CODE_TO_STATUS = {
  validation_error: 400,
  invalid_json: 400,
  invalid_signature: 400,
  password_too_short: 400,
  password_blank: 400,
  password_too_common: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_api_key: 401,
  login_challenge_expired: 401,
  insufficient_funds: 402,
  forbidden: 403,
  insufficient_scope: 403,
  account_suspended: 403,
  account_closed: 403,
  forbidden_origin: 403,
  two_factor_required: 403,
  invitation_email_mismatch: 403,
  not_found: 404,
  method_not_allowed: 405,
  email_taken: 409,
  already_member: 409,
  last_owner: 409,
  account_not_empty: 409,
  currency_locked: 409,
  idempotency_key_reused: 409,
  idempotency_key_in_use: 409,
  hold_not_active: 409,
  delivery_pending: 409,
  meter_exists: 409,
  price_exists: 409,
  two_factor_already_enabled: 409,
  two_factor_not_started: 409,
  operator_exists: 409,
  currency_mismatch: 422,
  payment_mismatch: 422,
  payment_failed: 422,
  capture_exceeds_hold: 422,
  overdraft_in_use: 422,
  refund_exceeds_available: 422,
  no_payment_method: 422,
  limit_exceeded: 422,
  unknown_meter: 422,
  meter_archived: 422,
  no_price: 422,
  quantity_too_large: 422,
  invalid_quantity: 422,
  notification_protected: 422,
  invalid_two_factor_code: 422,
  two_factor_not_enabled: 422,
  spend_limit_exceeded: 402,
  payload_too_large: 413,
  rate_limited: 429,
  internal_error: 500,
  provider_unavailable: 502,
} as const;

export type ErrorCode = keyof typeof CODE_TO_STATUS;

/** Maps zod's issues to FieldIssues (zod 4 issue shapes: zod.dev/api "Issues"). */
export function fieldIssuesOf(error: ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const out: FieldIssue = { field: issue.path.map(String).join("."), code: issue.code, message: issue.message };
    if (issue.code === "too_small") out.minimum = Number(issue.minimum);
    if (issue.code === "too_big") out.maximum = Number(issue.maximum);
    if (issue.code === "too_small" || issue.code === "too_big") out.origin = issue.origin;
    if (issue.code === "invalid_format") out.format = issue.format;
    if (issue.code === "invalid_value") out.values = issue.values.map(String);
    if (issue.code === "unrecognized_keys") out.values = issue.keys;
    return out;
  });
}

/** "Invalid request: amount: must be at least 100; name: ..." for people reading raw responses. */
export function summarize(issues: FieldIssue[]): string {
  return `Invalid request: ${issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; ")}`;
}

/** An error body's `details`: FieldIssues for validation_error, facts (amounts, statuses) otherwise. */
export type ErrorDetails = FieldIssue[] | Record<string, unknown>;

/** Status and body code for any thrown value; unknown errors are 500 internal_error. */
export function classify(err: unknown): { status: number; code: ErrorCode; message: string; details?: ErrorDetails } {
  if (err instanceof ZodError) {
    // A schema parsed inside a handler or verb: the same 400 as the route's own validation.
    const issues = fieldIssuesOf(err);
    return { status: 400, code: "validation_error", message: summarize(issues), details: issues };
  }
  if (err instanceof ApiError) {
    return { status: CODE_TO_STATUS[err.code], code: err.code, message: err.message, details: err.details };
  }
  if (err instanceof LedgerError && err.code in CODE_TO_STATUS) {
    const code = err.code as ErrorCode;
    return { status: CODE_TO_STATUS[code], code, message: err.message, details: err.details };
  }
  return { status: 500, code: "internal_error", message: "Something went wrong on our side. It has been logged." };
}
