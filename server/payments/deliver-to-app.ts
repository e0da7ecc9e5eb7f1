import type { WebhookDelivery } from "./index";

/** Anything with Hono's `request(path, init)`: the composed app. */
interface RequestHandler {
  request(path: string, init: RequestInit): Response | Promise<Response>;
}

/**
 * The simulated provider's webhook delivery: posts the signed event to our own
 * POST /api/v1/webhooks/stripe route in-process, exactly as Stripe would over HTTP.
 * @throws Error when the route answers non-2xx (the simulated checkout shows it).
 */
export function deliverToApp(app: RequestHandler): WebhookDelivery {
  return async (rawBody, signature) => {
    const res = await app.request("/api/v1/webhooks/stripe", {
      method: "POST",
      body: rawBody,
      headers: { "content-type": "application/json", "stripe-signature": signature },
    });
    if (!res.ok) throw new Error(`webhook delivery answered ${res.status}: ${await res.text()}`);
  };
}
