import { redirect } from "@sveltejs/kit";
import { getSessionState } from "$lib/api";
import { nextPath } from "$lib/navigation";
import type { LayoutLoad } from "./$types";

/** Already signed in? Skip the form. Signed out, or any failure (server down), shows the form. */
export const load: LayoutLoad = async ({ url, fetch }) => {
  const session = await getSessionState(fetch).catch(() => null);
  if (session) redirect(307, nextPath(url));
  return {};
};
