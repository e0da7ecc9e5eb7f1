/**
 * Our confirm page of an off-session charge that needs authentication (3-D Secure):
 * `<publicUrl>/pay/confirm/<topupId>` (server/routes/pay/). It is the `actionUrl` of the
 * top-up and of a paused auto top-up, and the link in their notifications, whichever the
 * provider (Stripe completes it with Stripe.js there; the simulated provider sends the
 * customer on to its authentication page and back).
 */
export function confirmPageUrl(publicUrl: string, topupId: string): string {
  return `${publicUrl}/pay/confirm/${encodeURIComponent(topupId)}`;
}
