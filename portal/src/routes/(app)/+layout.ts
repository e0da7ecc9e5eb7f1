import { error, redirect } from "@sveltejs/kit";
import { ApiError, getMe } from "$lib/api";
import { describeError } from "$lib/messages";
import { loginUrl } from "$lib/navigation";
import type { LayoutLoad } from "./$types";

/**
 * Every page in this group needs a session: 401 from GET /me goes to /login.
 * The URL is read untracked so query-string changes (filters, ?topup=) don't refetch /me.
 */
export const load: LayoutLoad = async ({ url, depends, untrack, fetch }) => {
  depends("app:session");
  try {
    const session = await getMe(fetch);
    return { session };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) redirect(307, untrack(() => loginUrl(url)));
    const status = err instanceof ApiError && err.status >= 400 ? err.status : 503;
    error(status, { message: describeError(err), code: err instanceof ApiError ? err.code : undefined });
  }
};
