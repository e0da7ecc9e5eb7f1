import { ApiError } from "../errors";

/**
 * The `Stripe-Signature` header is missing, malformed, does not match the raw body
 * (HMAC-SHA256 with the webhook secret), or its timestamp is outside the tolerance.
 * 400 invalid_signature; the event is not processed, so nothing changes.
 */
export class InvalidSignatureError extends ApiError {
  constructor(reason: string) {
    super("invalid_signature", `Webhook signature verification failed: ${reason}`);
    this.name = "InvalidSignatureError";
  }
}

/**
 * A validly signed event whose content is not what Stripe sends (a field we read is
 * missing or of the wrong type). 400 validation_error; nothing is applied or recorded.
 * `eventId` and `type` are as the event states them (possibly not strings).
 */
export class MalformedEventError extends ApiError {
  constructor(
    readonly eventId: unknown,
    readonly type: unknown,
    readonly reason: string,
  ) {
    super("validation_error", `Malformed webhook event: ${reason}`);
    this.name = "MalformedEventError";
  }
}

/** The payment provider refused the request or could not be reached. 502 provider_unavailable. */
export class ProviderError extends ApiError {
  constructor(message: string, cause?: unknown) {
    super("provider_unavailable", message);
    this.name = "ProviderError";
    this.cause = cause;
  }
}
