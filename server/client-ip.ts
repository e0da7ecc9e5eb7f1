import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/**
 * The client's IP address, for per-client limits. Behind a proxy (TRUST_PROXY=1, e.g. the
 * nginx of nginx.conf) it is the last address in X-Forwarded-For, the one our proxy
 * appended; earlier entries come from the client and prove nothing. Otherwise the socket's
 * peer. `unknown` when neither exists (in-process requests in tests).
 */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",").pop()?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
