/** Where to send a signed-out user, and where to return after login. */

/** "/login?next=/transactions" for the current location (never loops back to /login). */
export function loginUrl(current: URL): string {
  const next = current.pathname + current.search;
  if (current.pathname === "/" && !current.search) return "/login";
  if (current.pathname.startsWith("/login") || current.pathname.startsWith("/signup")) return "/login";
  return `/login?next=${encodeURIComponent(next)}`;
}

/** A safe same-origin path from ?next=, defaulting to the dashboard (no open redirects). */
export function nextPath(url: URL): string {
  const next = url.searchParams.get("next");
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}
