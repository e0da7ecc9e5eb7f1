import { error, redirect } from "@sveltejs/kit";
import { ApiError, getMe, type Session } from "$lib/api";
import { describeError } from "$lib/messages";
import { loginUrl } from "$lib/navigation";
import type { LayoutLoad } from "./$types";

/**
 * Every page in this group needs a session: 401 from GET /me goes to /login. A member whose
 * account requires two-factor log-in and who has none goes to /profile to enrol (the API
 * answers 403 two_factor_required to everything else until then).
 * The URL is read untracked so query-string changes (filters, ?topup=) don't refetch /me.
 */
export const load: LayoutLoad = async ({ url, depends, untrack, fetch }) => {
  depends("app:session");
  let session: Session;
  try {
    session = await getMe(fetch);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) redirect(307, untrack(() => loginUrl(url)));
    const status = err instanceof ApiError && err.status >= 400 ? err.status : 503;
    error(status, { message: describeError(err), code: err instanceof ApiError ? err.code : undefined });
  }
  if (session.account.requireTwoFactor && !session.user.twoFactorEnabled && untrack(() => url.pathname) !== "/profile") {
    redirect(307, "/profile");
  }
  return { session };
};
