import type { Context } from "hono";
import type { AppEnv } from "../context";
import type { CheckoutLocale } from "../payments/provider";

/**
 * The language a checkout opened by this request is shown in: the portal user's chosen one
 * (users.locale, set by PUT /me/locale when they switch languages); undefined (the
 * provider's default) for an API key, which has no user.
 */
export async function checkoutLocaleOf(c: Context<AppEnv>): Promise<CheckoutLocale | undefined> {
  const principal = c.get("principal");
  if (principal.kind !== "session") return undefined;
  const [user] = await c.get("deps").database.sql<{ locale: CheckoutLocale }[]>`
    SELECT locale FROM users WHERE id = ${principal.userId}`;
  return user?.locale;
}
