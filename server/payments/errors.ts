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

/** The payment provider refused the request or could not be reached. 502 provider_unavailable. */
export class ProviderError extends ApiError {
  constructor(message: string, cause?: unknown) {
    super("provider_unavailable", message);
    this.name = "ProviderError";
    this.cause = cause;
  }
}
