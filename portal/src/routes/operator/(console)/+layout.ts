import { error, redirect } from "@sveltejs/kit";
import { ApiError } from "$lib/api";
import { describeError } from "$lib/messages";
import { getOperatorMe } from "$lib/operator/api";
import type { LayoutLoad } from "./$types";

/**
 * Every console page needs an operator session (password + TOTP): 401 from GET /operator/me
 * goes to /operator/login, back here afterwards. A customer session does not open the console.
 */
export const load: LayoutLoad = async ({ url, untrack, fetch }) => {
  try {
    return { operator: await getOperatorMe(fetch) };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      redirect(307, untrack(() => `/operator/login?next=${encodeURIComponent(url.pathname + url.search)}`));
    }
    const status = err instanceof ApiError && err.status >= 400 ? err.status : 503;
    error(status, { message: describeError(err), code: err instanceof ApiError ? err.code : undefined });
  }
};
