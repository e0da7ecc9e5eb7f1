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
import { renderConfirmState } from "./page";

const NOT_FOUND_PAGE = renderMessagePage("Payment not found", "This confirm link is not valid for your account.", {
  href: "/",
  text: "Back to your balance",
});
const FORBIDDEN_PAGE = renderMessagePage("Not allowed", "Only the account's owners and admins can confirm its payments.", {
  href: "/",
  text: "Back to your balance",
});

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
    let accountId: string;
    try {
      accountId = (await authenticateSession(deps.database.sql, getCookie(c, SESSION_COOKIE), ["owner", "admin"])).accountId;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.code === "forbidden") return c.html(FORBIDDEN_PAGE, 403);
      return c.redirect(`/login?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
    }
    const state = await loadConfirmState(deps, accountId, c.req.param("topupId"));
    if (state.kind === "not_found") return c.html(NOT_FOUND_PAGE, 404);
    const unconfigured = state.kind === "confirm" && state.next.kind === "stripe_js" && !state.next.publishableKey;
    return c.html(renderConfirmState(state), unconfigured ? 503 : 200);
  });
