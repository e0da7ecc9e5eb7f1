import { createHash, randomBytes } from "node:crypto";

/** SHA-256 as lower-case hex. Used for high-entropy secrets (session tokens, API keys). */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/**
 * A new secret: `<prefix>` + 32 random bytes, base64url (256 bits). Random secrets
 * this long need no slow hash at rest: SHA-256 is enough (unlike passwords: argon2id).
 */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

/** Session cookie name. */
export const SESSION_COOKIE = "lb_session";
/** API key secrets start with this, so leaked keys are recognisable by scanners. */
export const API_KEY_PREFIX = "lb_sk_";
/** Scopes an API key can carry (shared/DESIGN.md, "Auth"). */
export const API_KEY_SCOPES = ["usage:write", "balance:read", "topups:write"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
