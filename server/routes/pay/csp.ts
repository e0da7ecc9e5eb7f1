import { STYLE_CSP_SOURCE } from "../checkout/page";

/** Stripe.js, which Stripe requires to be loaded from this URL (never bundled or self-hosted). */
export const STRIPE_JS_URL = "https://js.stripe.com/v3/";

/**
 * The confirm page's Content-Security-Policy: what Stripe.js needs and nothing more
 * (docs.stripe.com/security/guide#content-security-policy): its script from
 * https://js.stripe.com, its frames (the 3-D Secure challenge) from https://js.stripe.com
 * and https://hooks.stripe.com, its API calls to https://api.stripe.com; our own script
 * (/pay/confirm.js) and the pages' one inline style by its hash. A site-wide policy must
 * allow at least this on /pay/*.
 */
export const CONFIRM_PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' https://js.stripe.com",
  "frame-src https://js.stripe.com https://hooks.stripe.com",
  "connect-src 'self' https://api.stripe.com",
  `style-src ${STYLE_CSP_SOURCE}`,
  "img-src 'self' data: https://*.stripe.com",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");
