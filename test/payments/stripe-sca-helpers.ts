import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { startStripeMock, type StripeMock } from "./stripe-mock";

export interface StripeScaProxy {
  /** e.g. http://127.0.0.1:41234: STRIPE_API_BASE for the app. */
  url: string;
  stop(): Promise<void>;
}

/**
 * stripe-mock behind a proxy that answers every off-session charge (POST /v1/payment_intents)
 * the way Stripe does when the bank asks for authentication: HTTP 402, card_error
 * `authentication_required`, the intent (`pi_sca_<n>`) left `requires_payment_method`
 * (docs.stripe.com/payments/save-and-reuse). stripe-mock cannot decline; every other request
 * goes to it and is validated against Stripe's OpenAPI spec.
 */
export async function startStripeScaProxy(): Promise<StripeScaProxy> {
  const mock: StripeMock = await startStripeMock();
  let intents = 0;
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = httpRequest(new URL(req.url ?? "/", mock.url), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  };
  const proxy = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/v1/payment_intents") return forward(req, res);
    req.resume();
    const intent = { id: `pi_sca_${++intents}`, object: "payment_intent", amount: 0, currency: "eur", status: "requires_payment_method" };
    res.writeHead(402, { "content-type": "application/json", "request-id": "req_sca" }).end(
      JSON.stringify({
        error: { type: "card_error", code: "authentication_required", message: "This payment requires authentication.", payment_intent: intent },
      }),
    );
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      mock.stop();
    },
  };
}
