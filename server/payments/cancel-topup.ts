import { findTopup, type Topup } from "../../db/ledger/topup-record";
import type { AppDeps } from "../context";
import { reconcileTopup } from "./reconcile-topup";
import { findOpenCheckout } from "./refresh-topup";

/**
 * POST /topups/:id/cancel, the checkout's cancel path ("Cancel and return"): expires the
 * top-up's open checkout session at the provider, so it can no longer be paid, and
 * reconciles it: the top-up becomes `expired` (reconcileTopup). A session that was paid
 * meanwhile settles instead, and a top-up that is no longer pending (or not a checkout
 * top-up) is returned unchanged, so the call is safe to repeat.
 * @throws ApiError not_found (404) when the id is unknown or belongs to another account;
 *   ProviderError when the provider cannot be reached
 */
export async function cancelTopup(
  deps: Pick<AppDeps, "database" | "ledger" | "payments">,
  accountId: string,
  topupId: string,
): Promise<Topup> {
  const { topup, sessionId } = await findOpenCheckout(deps, accountId, topupId);
  if (!sessionId) return topup;
  const session = await deps.payments.expireCheckoutSession(sessionId);
  // The session must be this top-up's: never settle or expire a top-up from another one's session.
  if (session.metadata.topupId === topup.id) await reconcileTopup(deps.ledger, session);
  return (await findTopup(deps.database.sql, accountId, topupId)) ?? topup;
}
