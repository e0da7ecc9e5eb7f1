import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { SESSION_COOKIE } from "../../auth/tokens";
import type { AppEnv } from "../../context";
import { ApiError } from "../../errors";
import { authenticateSession } from "../../middleware/auth";
import { loadConfirmState } from "../../payments/confirm-payment";
import { renderMessagePage } from "../checkout/page";
import { CONFIRM_SCRIPT } from "./confirm-script";
import { CONFIRM_PAGE_CSP } from "./csp";
import type { CheckoutLocale } from "../../payments/provider";
import { backLink, renderConfirmState } from "./page";
import { confirmTexts } from "./texts";

/** The signed-in user's language (users.locale); "en" when unknown. */
async function userLocale(sql: AppEnv["Variables"]["deps"]["database"]["sql"], userId: string): Promise<CheckoutLocale> {
  const [row] = await sql<{ locale: string }[]>`SELECT locale FROM users WHERE id = ${userId}`;
  return row?.locale === "de" ? "de" : "en";
}

/** Before we know the user (a viewer's 403): the browser's language, German or English. */
const browserLocale = (acceptLanguage: string | undefined): CheckoutLocale => (/^de\b/i.test(acceptLanguage ?? "") ? "de" : "en");

/**
 * Our confirm page for off-session charges that need authentication (3-D Secure, PSD2 strong
 * customer authentication), outside /api: the `actionUrl` of such a top-up and of a paused
 * auto top-up (server/payments/confirm-url.ts).
 * - GET /pay/confirm/:topupId: needs the portal session of an owner or admin of the top-up's
 *   account (no session: 303 to /login?next=<this page>; a viewer: 403; another account's
 *   or unknown top-up: 404). Shows the confirm step (loadConfirmState) or the outcome.
 * - GET /pay/confirm.js: the page's script (Stripe.js driver).
 * Answers are not cached, not framed, and carry CONFIRM_PAGE_CSP.
 */
export const payRoutes = new Hono<AppEnv>()
  .use("/pay/*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
    c.header("X-Frame-Options", "DENY");
    c.header("Content-Security-Policy", CONFIRM_PAGE_CSP);
  })
  .get("/pay/confirm.js", (c) => c.body(CONFIRM_SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8" }))
  .get("/pay/confirm/:topupId", async (c) => {
    const deps = c.get("deps");
    let session: { accountId: string; userId: string };
    try {
      session = await authenticateSession(deps.database.sql, getCookie(c, SESSION_COOKIE), ["owner", "admin"]);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.code === "forbidden") {
        const locale = browserLocale(c.req.header("Accept-Language"));
        const t = confirmTexts(locale);
        return c.html(renderMessagePage(t.forbiddenTitle, t.forbidden, backLink(locale), locale), 403);
      }
      return c.redirect(`/login?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
    }
    const locale = await userLocale(deps.database.sql, session.userId);
    const state = await loadConfirmState(deps, session.accountId, c.req.param("topupId"));
    if (state.kind === "not_found") {
      const t = confirmTexts(locale);
      return c.html(renderMessagePage(t.notFoundTitle, t.notFound, backLink(locale), locale), 404);
    }
    const unconfigured = state.kind === "confirm" && state.next.kind === "stripe_js" && !state.next.publishableKey;
    return c.html(renderConfirmState(state, locale), unconfigured ? 503 : 200);
  });
