import type { Queryable } from "../client";
import { newId } from "../ids";
import { AccountClosedError, AccountNotFoundError, CurrencyMismatchError, LedgerError } from "./errors";
import { toTopup, type Topup, type TopupRow } from "./topup-record";

/**
 * Smallest top-up: 100 minor units (1.00 EUR). Stripe refuses charges below about
 * 0.50 USD in the settlement currency (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts);
 * 100 minor units clears that for the common two-decimal currencies.
 */
export const MIN_TOPUP_MINOR = 100;
/** Largest single top-up: 10^8 minor units (1 000 000.00 EUR), well under Stripe's per-charge maximum. */
export const MAX_TOPUP_MINOR = 100_000_000;

export interface CreateTopupInput {
  accountId: string;
  /** Minor units, MIN_TOPUP_MINOR .. MAX_TOPUP_MINOR. */
  amount: number;
  /** Upper-case ISO 4217; when given it must be the account's currency. */
  currency?: string | null;
  /** The payment provider that will hold the checkout session or charge ("stripe" | "simulated"). */
  provider: string;
  /** checkout (default), saved_card (one click) or auto (the auto top-up job). */
  kind?: "checkout" | "saved_card" | "auto";
  /** Our id of the saved card to charge (kinds saved_card and auto). */
  paymentMethodId?: string | null;
  /** The request's Idempotency-Key: at most one top-up per (account, key). */
  idempotencyKey?: string | null;
}

/**
 * Records a new `pending` top-up (id `tu_...`) in the account's currency. Its id is
 * saved before any provider call, so the provider idempotency key derived from it
 * (`topup_<id>`) survives a crash (shared/DESIGN.md, "Idempotency"). With an
 * `idempotencyKey` already used on the account, returns that top-up instead (whatever its
 * status): the recovery point of a request that died after recording it.
 * @throws LedgerError validation_error (amount out of bounds), AccountNotFoundError,
 *   AccountClosedError (a closed account cannot be credited), CurrencyMismatchError
 */
export async function createTopup(q: Queryable, input: CreateTopupInput): Promise<Topup> {
  if (!Number.isSafeInteger(input.amount) || input.amount < MIN_TOPUP_MINOR || input.amount > MAX_TOPUP_MINOR) {
    throw new LedgerError(
      "validation_error",
      `A top-up must be an integer from ${MIN_TOPUP_MINOR} to ${MAX_TOPUP_MINOR} minor units.`,
    );
  }
  const [account] = await q<{ currency: string; status: string }[]>`
    SELECT currency, status FROM accounts WHERE id = ${input.accountId} AND kind = 'customer'`;
  if (!account) throw new AccountNotFoundError(input.accountId);
  if (account.status === "closed") throw new AccountClosedError();
  if (input.currency && input.currency !== account.currency) {
    throw new CurrencyMismatchError(account.currency, input.currency);
  }
  const key = input.idempotencyKey ?? null;
  const [row] = await q<TopupRow[]>`
    INSERT INTO topups (id, account_id, amount, currency, provider, kind, payment_method_id, idempotency_key)
    VALUES (${newId("tu")}, ${input.accountId}, ${input.amount}, ${account.currency}, ${input.provider},
            ${input.kind ?? "checkout"}, ${input.paymentMethodId ?? null}, ${key})
    ON CONFLICT (account_id, idempotency_key) DO NOTHING
    RETURNING *`;
  if (row) return toTopup(row);
  const [existing] = await q<TopupRow[]>`SELECT * FROM topups WHERE account_id = ${input.accountId} AND idempotency_key = ${key}`;
  return toTopup(existing!);
}
