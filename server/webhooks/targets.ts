import ipaddr from "ipaddr.js";

/**
 * Where deliveries may go. `allowPrivateTargets` false: an account's endpoint may not reach
 * loopback, private or link-local addresses (SSRF); the operator's platform-wide endpoints
 * always may (staff point them at internal services).
 */
export interface WebhookTargetPolicy {
  allowPrivateTargets: boolean;
}

/**
 * Whether a webhook URL names a host on a private network by itself: `localhost`, or an
 * IP literal outside the public unicast range (loopback, RFC 1918, link-local such as
 * the cloud metadata address 169.254.169.254, unique-local, reserved; ipaddr.js ranges).
 * Names that only resolve to such addresses are caught when sending (post-webhook.ts).
 */
export function namesPrivateHost(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (!ipaddr.isValid(host)) return false;
  return ipaddr.process(host).range() !== "unicast";
}
