import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../context";
import { ApiError, classify, CODE_TO_STATUS, RateLimitedError, type ErrorCode, type ErrorDetails } from "../errors";

/** The error body of shared/DESIGN.md: `{ error: { code, message, requestId, details? } }`. */
export function errorBody(code: ErrorCode, message: string, requestId: string, details?: ErrorDetails) {
  return { error: { code, message, requestId, ...(details ? { details } : {}) } };
}

/** The error answer (errorBody) with its Content-Length (contentLengthOf: small error answers are then not gzipped). */
export function errorResponse(c: Context<AppEnv>, code: ErrorCode, message: string, details?: ErrorDetails) {
  const body = errorBody(code, message, c.get("requestId"), details);
  return c.json(body, CODE_TO_STATUS[code], contentLengthOf(body));
}

/**
 * A Content-Length header for `body` as c.json() will send it. hono/compress honours its
 * 1 KiB threshold only when the answer states its length; without it every small JSON
 * answer went through a gzip CompressionStream for clients that accept gzip (k6, Go,
 * browsers, curl --compressed): ~15 % of a debit's CPU in `node --cpu-prof`.
 */
export function contentLengthOf(body: unknown): Record<string, string> {
  return { "Content-Length": String(Buffer.byteLength(JSON.stringify(body))) };
}

/** app.onError: maps domain and HTTP errors to the error body (429s with Retry-After); logs 5xx with the stack. */
export function onError(err: Error, c: Context<AppEnv>) {
  if (err instanceof HTTPException) {
    if (err.status === 400) return errorResponse(c, "invalid_json", "The request body is not valid JSON.");
    if (err.status === 413) return errorResponse(c, "payload_too_large", "The request body is too large.");
    return errorResponse(c, "validation_error", err.message);
  }
  if (err instanceof RateLimitedError) c.header("Retry-After", String(err.retryAfterS));
  const { code, message, details, status } = classify(err);
  if (status >= 500) c.get("log")?.error({ err }, "unhandled error");
  return errorResponse(c, code, message, details);
}

/** app.notFound: unknown API routes get the error shape too. */
export function onNotFound(c: Context<AppEnv>) {
  return errorResponse(c, "not_found", `No route ${c.req.method} ${c.req.path}.`);
}

/** Shorthand to throw a 404 that does not reveal whether the resource exists elsewhere. */
export function notFound(what: string): ApiError {
  return new ApiError("not_found", `No ${what} with that id.`);
}
