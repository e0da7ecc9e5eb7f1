import { createRoute, z } from "@hono/zod-openapi";
import { handleWebhook } from "../../payments/handle-webhook";
import { createRouter } from "../router";
import { errors } from "../../openapi/route-docs";
import { jsonResponse } from "../schemas";

const stripeWebhook = createRoute({
  method: "post",
  path: "/webhooks/stripe",
  operationId: "receiveStripeWebhook",
  tags: ["webhooks"],
  summary: "Stripe webhook endpoint (also used by the simulated provider)",
  description:
    "No authentication: the Stripe-Signature header (HMAC-SHA256 over the raw body with the webhook secret, " +
    "timestamp within 300 s either way) is the credential; a signed event without the fields we read is 400 validation_error and changes nothing. Handles checkout.session.completed, " +
    "checkout.session.async_payment_succeeded, checkout.session.async_payment_failed and checkout.session.expired; " +
    "other types are acknowledged and ignored. Events are de-duplicated by id.",
  security: [],
  responses: {
    200: jsonResponse(z.object({ received: z.literal(true) }).openapi("WebhookReceived"), "Processed, ignored or duplicate"),
    ...errors("invalid_signature", "validation_error", "payment_mismatch", "provider_unavailable"),
  },
});

/** POST /webhooks/stripe: handleWebhook on the raw body; 200 { received: true } unless the signature is bad (400). */
export const webhooksRoutes = createRouter().openapi(stripeWebhook, async (c) => {
  // The signature covers the exact bytes sent: read the raw text before any JSON parsing.
  const rawBody = await c.req.text();
  await handleWebhook(c.get("deps"), rawBody, c.req.header("stripe-signature"));
  return c.json({ received: true as const }, 200);
});
