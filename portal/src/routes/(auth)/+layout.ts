import { redirect } from "@sveltejs/kit";
import { getMe } from "$lib/api";
import { nextPath } from "$lib/navigation";
import type { LayoutLoad } from "./$types";

/** Already signed in? Skip the form. Any failure (401, server down) shows the form. */
export const load: LayoutLoad = async ({ url, fetch }) => {
  let signedIn = false;
  try {
    await getMe(fetch);
    signedIn = true;
  } catch {
    signedIn = false;
  }
  if (signedIn) redirect(307, nextPath(url));
  return {};
};
