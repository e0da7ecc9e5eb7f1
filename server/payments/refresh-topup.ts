import { findTopup } from "../../db/ledger/topup-record";
import type { Topup } from "../../db/ledger/topup-record";
import type { AppDeps } from "../context";
import { notFound } from "../middleware/errors";
import { reconcileTopup } from "./reconcile-topup";

/**
 * The account's top-up and, while it is pending with a checkout session at the active
 * provider, that session's id (else null: nothing to ask the provider).
 * @throws ApiError not_found (404) when the id is unknown or belongs to another account
 */
export async function findOpenCheckout(
  deps: Pick<AppDeps, "database" | "payments">,
  accountId: string,
  topupId: string,
): Promise<{ topup: Topup; sessionId: string | null }> {
  const topup = await findTopup(deps.database.sql, accountId, topupId);
  if (!topup) throw notFound("top-up");
  const open = topup.status === "pending" && topup.providerSessionId !== null && topup.provider === deps.payments.name;
  return { topup, sessionId: open ? topup.providerSessionId : null };
}

/**
 * GET /topups/:id, the checkout return path: reads the account's top-up and, while it
 * is pending, asks the provider for its checkout session and reconciles it
 * (reconcileTopup), so a paid top-up is credited even before, or without, the webhook.
 * A provider that cannot be reached leaves the stored state (logged), since the
 * webhook will still settle it.
 * @throws ApiError not_found (404) when the id is unknown or belongs to another account;
 *   PaymentMismatchError when the provider reports a different amount
 */
export async function refreshTopup(
  deps: Pick<AppDeps, "database" | "ledger" | "payments" | "logger">,
  accountId: string,
  topupId: string,
): Promise<Topup> {
  const { sql } = deps.database;
  const { topup, sessionId } = await findOpenCheckout(deps, accountId, topupId);
  if (!sessionId) return topup;
  let session;
  try {
    session = await deps.payments.retrieveCheckoutSession(sessionId);
  } catch (err) {
    deps.logger.warn({ err, topupId }, "could not retrieve the checkout session; returning the stored top-up");
    return topup;
  }
  // The session must be this top-up's: never settle a top-up from another one's payment.
  if (session.metadata.topupId !== topup.id) return topup;
  await reconcileTopup(deps.ledger, session);
  return (await findTopup(sql, accountId, topupId)) ?? topup;
}
