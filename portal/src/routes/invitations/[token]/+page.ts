import { ApiError, getInvitation, getSessionState, type InvitationPreview, type Session } from "$lib/api";
import type { PageLoad } from "./$types";

/**
 * The invitation behind the link (null once used, revoked or expired: the page says so)
 * and the session, if any: signed in, the user joins with one click; signed out, they
 * sign up here (or log in and come back).
 */
export const load: PageLoad = async ({ params, fetch }) => {
  const [invitation, session] = await Promise.all([
    getInvitation(params.token).catch((err: unknown): InvitationPreview | null => {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }),
    getSessionState(fetch).catch((): Session | null => null),
  ]);
  return { token: params.token, invitation, session };
};
