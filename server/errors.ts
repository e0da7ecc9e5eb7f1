import { LedgerError } from "../db/ledger/errors";

/**
 * The one error class of the HTTP layer. `code` decides the status through
 * CODE_TO_STATUS; `message` is for people.
 */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Every error code the API returns, with its HTTP status (shared/DESIGN.md, "Errors"). */
export const CODE_TO_STATUS = {
  validation_error: 400,
  invalid_json: 400,
  invalid_signature: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_api_key: 401,
  insufficient_funds: 402,
  forbidden: 403,
  insufficient_scope: 403,
  account_suspended: 403,
  account_closed: 403,
  not_found: 404,
  email_taken: 409,
  idempotency_key_reused: 409,
  idempotency_key_in_use: 409,
  hold_not_active: 409,
  delivery_pending: 409,
  meter_exists: 409,
  price_exists: 409,
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
  spend_limit_exceeded: 402,
  payload_too_large: 413,
  rate_limited: 429,
  internal_error: 500,
  provider_unavailable: 502,
} as const;

export type ErrorCode = keyof typeof CODE_TO_STATUS;

/** Status and body code for any thrown value; unknown errors are 500 internal_error. */
export function classify(err: unknown): { status: number; code: ErrorCode; message: string; details?: Record<string, unknown> } {
  if (err instanceof ApiError) {
    return { status: CODE_TO_STATUS[err.code], code: err.code, message: err.message, details: err.details };
  }
  if (err instanceof LedgerError && err.code in CODE_TO_STATUS) {
    const code = err.code as ErrorCode;
    return { status: CODE_TO_STATUS[code], code, message: err.message, details: err.details };
  }
  return { status: 500, code: "internal_error", message: "Something went wrong on our side. It has been logged." };
}
