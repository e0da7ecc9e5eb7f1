import { error, redirect } from "@sveltejs/kit";
import { ApiError, getOperatorMe, type OperatorMe } from "$lib/api";
import { describeError } from "$lib/messages";
import type { LayoutLoad } from "./$types";

/**
 * The console's pages need an operator session (cookie lb_operator; a customer session does
 * not count): 401 goes to /operator/login; an operator without TOTP goes to /operator/enrol.
 */
export const load: LayoutLoad = async ({ fetch, depends }) => {
  depends("operator:session");
  let operator: OperatorMe;
  try {
    operator = await getOperatorMe(fetch);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) redirect(307, "/operator/login");
    error(err instanceof ApiError && err.status >= 400 ? err.status : 503, { message: describeError(err) });
  }
  if (!operator.twoFactorEnabled) redirect(307, "/operator/enrol");
  return { operator };
};
