import { redirect } from "@sveltejs/kit";
import { getSessionState } from "$lib/api";
import { nextPath } from "$lib/navigation";
import type { LayoutLoad } from "./$types";

/** Pages that make no sense signed in; the links from emails (reset, verify) work either way. */
const SIGNED_OUT_ONLY = ["/login", "/signup", "/forgot-password"];

/** Already signed in? Skip the form. Signed out, or any failure (server down), shows the form. */
export const load: LayoutLoad = async ({ url, fetch }) => {
  if (!SIGNED_OUT_ONLY.includes(url.pathname)) return {};
  const session = await getSessionState(fetch).catch(() => null);
  if (session) redirect(307, nextPath(url));
  return {};
};
