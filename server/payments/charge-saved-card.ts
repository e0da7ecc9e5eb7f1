import { createTopup } from "../../db/ledger/create-topup";
import { findChargeableCard } from "../../db/ledger/payment-methods";
import { findTopup, type Topup } from "../../db/ledger/topup-record";
import type { AppDeps } from "../context";
import { ApiError } from "../errors";
import { chargeAttempt } from "./charge-attempt";

export interface ChargeSavedCardTopupInput {
  accountId: string;
  /** Minor units, MIN_TOPUP_MINOR .. MAX_TOPUP_MINOR (db/ledger/create-topup.ts). */
  amount: number;
  currency?: string;
  /** Our id of one of the account's cards, or "default". */
  paymentMethodId: string;
  /** The request's Idempotency-Key: a retry finds the same top-up (createTopup). */
  idempotencyKey?: string | null;
}

/**
 * One-click top-up (no redirect): records a pending `saved_card` top-up first (its id is
 * the provider idempotency key `topup_<id>`), charges the saved card off-session, and
 * applies the outcome through completeCharge (settleTopup on success). Returns the top-up:
 * succeeded, failed (with the reason), or pending with `actionUrl` when the bank asks for
 * authentication. A retry with the same Idempotency-Key gets the same top-up, charged once.
 * @throws ApiError no_payment_method (422) when the card is not the account's or there is no default;
 *   LedgerError validation_error, currency_mismatch, account_closed; ProviderError (502)
 */
export async function chargeSavedCardTopup(
  deps: Pick<AppDeps, "database" | "ledger" | "payments" | "publicUrl">,
  input: ChargeSavedCardTopupInput,
): Promise<Topup> {
  const { sql } = deps.database;
  const card = await findChargeableCard(sql, input.accountId, input.paymentMethodId === "default" ? null : input.paymentMethodId);
  if (!card) throw new ApiError("no_payment_method", "No saved card to charge: pay once through checkout to save one.");
  const topup = await createTopup(sql, {
    accountId: input.accountId,
    amount: input.amount,
    currency: input.currency,
    provider: deps.payments.name,
    kind: "saved_card",
    paymentMethodId: card.id,
    idempotencyKey: input.idempotencyKey,
  });
  // a retry whose first request died before the outcome charges again with the same
  // provider key (`topup_<id>`): the provider answers with the first charge
  const decided = topup.status !== "pending" || topup.actionUrl !== null;
  if (!decided) {
    const attempt = { id: topup.id, accountId: input.accountId, amount: topup.amount, currency: topup.currency };
    await chargeAttempt(deps, { ...attempt, kind: "saved_card" }, card);
  }
  return (await findTopup(sql, input.accountId, topup.id))!;
}
