import { createTopup } from "../../db/ledger/create-topup";
import type { Topup } from "../../db/ledger/topup-record";
import { attachCheckoutSession, failTopup } from "../../db/ledger/topup-transitions";
import type { AppDeps } from "../context";
import { ApiError } from "../errors";
import { ProviderError } from "./errors";
import type { CheckoutLocale } from "./provider";

export interface StartTopupInput {
  accountId: string;
  /** Minor units, MIN_TOPUP_MINOR .. MAX_TOPUP_MINOR (db/ledger/create-topup.ts). */
  amount: number;
  /** Upper-case ISO 4217; must be the account's currency when given. */
  currency?: string;
  /** The request's Idempotency-Key: a retry finds the same top-up (createTopup). */
  idempotencyKey?: string | null;
  /** Save the card paid with for later off-session charges (default true). */
  saveCard?: boolean;
  /** The checkout page's language (the portal user's chosen one); default en. */
  locale?: CheckoutLocale;
}

/**
 * Starts a top-up: records it `pending` (id saved first), opens a checkout session at
 * the provider with idempotency key `topup_<id>` (shared/DESIGN.md, "Idempotency"), and
 * saves the session id and checkout URL. The browser returns to
 * `<publicUrl>/?topup=<id>` (or `&canceled=1`), where the portal polls GET /topups/:id.
 * When the provider call fails the top-up is marked `failed` and the error rethrown. A
 * retry with the same Idempotency-Key gets the same top-up, its session opened now if the
 * first request died before (same provider key, so the same session).
 * @throws LedgerError validation_error, currency_mismatch, not_found, account_closed;
 *   ProviderError (502) when the provider refuses or is unreachable
 */
export async function startTopup(
  deps: Pick<AppDeps, "database" | "payments" | "publicUrl">,
  input: StartTopupInput,
): Promise<Topup> {
  const { sql } = deps.database;
  const { saveCard = true, ...topupInput } = input;
  const topup = await createTopup(sql, { ...topupInput, provider: deps.payments.name });
  if (topup.checkoutUrl || topup.status !== "pending") return topup; // a retry of a request that got this far
  const returnUrl = `${deps.publicUrl}/?topup=${encodeURIComponent(topup.id)}`;
  let session;
  try {
    session = await deps.payments.createCheckoutSession({
      topupId: topup.id,
      accountId: topup.accountId,
      amount: topup.amount,
      currency: topup.currency,
      successUrl: returnUrl,
      cancelUrl: `${returnUrl}&canceled=1`,
      idempotencyKey: `topup_${topup.id}`,
      saveCard,
      locale: input.locale,
    });
  } catch (err) {
    await failTopup(sql, topup.id, "The payment provider could not open a checkout session.");
    if (err instanceof ApiError) throw err;
    throw new ProviderError("The payment provider could not open a checkout session.", err);
  }
  return attachCheckoutSession(sql, topup.id, session);
}
