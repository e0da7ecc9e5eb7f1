import { randomUUID } from "node:crypto";
import type { AppDeps } from "../context";
import { ApiError } from "../errors";
import { notFound } from "../middleware/errors";
import { ProviderError } from "./errors";
import type { CheckoutLocale } from "./provider";

/**
 * POST /payment-methods: opens a setup-mode checkout to add a card without paying. The
 * browser returns to `<publicUrl>/payment-methods`; the card is stored when the
 * provider's `checkout.session.completed` arrives (handle-webhook.ts). No row of ours
 * precedes the call, so the provider idempotency key is random per request; a client
 * retry is covered by the route's Idempotency-Key replay.
 * @throws ApiError not_found; ProviderError (502)
 */
export async function startCardSetup(
  deps: Pick<AppDeps, "database" | "payments" | "publicUrl">,
  accountId: string,
  locale?: CheckoutLocale,
): Promise<{ checkoutUrl: string }> {
  const [account] = await deps.database.sql<{ currency: string }[]>`
    SELECT currency FROM accounts WHERE id = ${accountId} AND kind = 'customer'`;
  if (!account) throw notFound("account");
  const returnUrl = `${deps.publicUrl}/payment-methods`;
  try {
    const session = await deps.payments.createSetupSession({
      accountId,
      currency: account.currency,
      successUrl: `${returnUrl}?setup=done`,
      cancelUrl: `${returnUrl}?setup=canceled`,
      idempotencyKey: `setup_${randomUUID()}`,
      locale,
    });
    if (!session.url) throw new ProviderError("The payment provider returned no checkout URL.");
    return { checkoutUrl: session.url };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ProviderError("The payment provider could not open a checkout session.", err);
  }
}
