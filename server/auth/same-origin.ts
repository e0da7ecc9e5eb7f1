import type { Context } from "hono";
import { ApiError } from "../errors";

/** Methods that change nothing (RFC 9110 "safe" methods): never checked. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site request forgery defence for requests authenticated by the session cookie
 * (OWASP CSRF Prevention Cheat Sheet, "Verifying Origin With Standard Headers" and
 * "Fetch Metadata"): a state-changing request must come from our own pages. Browsers send
 * `Origin` on every non-GET/HEAD fetch and form post; it must be `publicUrl`'s origin.
 * Without it, `Sec-Fetch-Site` must be `same-origin` or `none` (typed by the user). A request
 * with neither header is not from a browser that could be tricked (curl, server code) and
 * passes. API-key (Bearer) calls never reach this: no cookie, nothing to forge.
 * Hono's `csrf` middleware checks only form content types, so JSON posts need this.
 * @throws ApiError forbidden_origin (403)
 */
export function assertSameOrigin(c: Context, publicUrl: string): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  const origin = c.req.header("origin");
  if (origin !== undefined) {
    if (origin === new URL(publicUrl).origin) return;
    throw new ApiError("forbidden_origin", `Requests from ${origin} may not act on this session.`);
  }
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    throw new ApiError("forbidden_origin", "Cross-site requests may not act on this session.");
  }
}
