import { createHash } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../context";

type CspOptions = NonNullable<NonNullable<Parameters<typeof secureHeaders>[0]>["contentSecurityPolicy"]>;
/** Sources a route adds to a CSP directive, e.g. `{ scriptSrc: ["https://js.stripe.com"] }`. */
export type CspSources = { [K in keyof CspOptions]?: string[] };

/**
 * The Content-Security-Policy of every response (portal, /docs, API, checkout pages)
 * unless a route extends it with `extendCsp`: our own origin only, nothing inline but
 * styles (Svelte's and Swagger UI's `style` attributes; the portal's inline bootstrap
 * script is allowed by its hash in server/static.ts), no plugins, never framed.
 */
const BASE_CSP: Record<string, string[]> = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:"],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** HSTS when PUBLIC_URL is https: one year, subdomains too (the common preload-ready value). */
const HSTS = "max-age=31536000; includeSubDomains";

/**
 * Security headers on every response (Hono's `secure-headers`): BASE_CSP, X-Frame-Options
 * DENY, X-Content-Type-Options nosniff, Referrer-Policy strict-origin-when-cross-origin
 * (keeps the Origin header of our own form posts), Cross-Origin-Opener/Resource-Policy
 * same-origin, and Strict-Transport-Security when PUBLIC_URL (`deps.publicUrl`) is https.
 * Headers a route set itself are kept (`overwrite: false`): that is how `extendCsp` works.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  const headers = (hsts: string | false) =>
    secureHeaders({
      contentSecurityPolicy: BASE_CSP,
      xFrameOptions: "DENY",
      referrerPolicy: "strict-origin-when-cross-origin",
      strictTransportSecurity: hsts,
      overwrite: false,
    });
  const overHttps = headers(HSTS);
  const overHttp = headers(false);
  return (c, next) => (c.get("deps").publicUrl.startsWith("https://") ? overHttps : overHttp)(c, next);
}

/**
 * Route middleware: this route's CSP is BASE_CSP plus `extra` sources per directive.
 * Use it on the route, not globally, e.g. a page that loads Stripe.js:
 *
 *   app.get("/confirm", extendCsp({ scriptSrc: ["https://js.stripe.com"], frameSrc: ["https://js.stripe.com"] }), handler)
 *
 * and for an inline script or style of ours, its hash: `extendCsp({ scriptSrc: [cspHash(SCRIPT)] })`.
 */
export function extendCsp(extra: CspSources): MiddlewareHandler {
  const policy: Record<string, string[]> = { ...BASE_CSP };
  for (const [directive, sources] of Object.entries(extra)) {
    policy[directive] = [...new Set([...(policy[directive] ?? policy.defaultSrc!), ...(sources ?? [])])];
  }
  return secureHeaders({
    contentSecurityPolicy: policy,
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    referrerPolicy: false,
    strictTransportSecurity: false,
    xContentTypeOptions: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    removePoweredBy: false,
  });
}

/** The CSP source that allows exactly this inline script or style: `'sha256-<base64>'`. */
export function cspHash(content: string): string {
  return `'sha256-${createHash("sha256").update(content).digest("base64")}'`;
}

/** API answers are per user and per moment: `Cache-Control: no-store` unless the route set its own (SSE). */
export function noStore(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
  };
}
