import type { Queryable } from "../client";
import { MAX_AMOUNT_MINOR } from "../money";
import { AccountNotFoundError, CurrencyMismatchError, MeterArchivedError, NoPriceError, QuantityTooLargeError, UnknownMeterError } from "./errors";
import { findPostedEntry, postEntry, toBalanceEvent } from "./post-entry";
import type { LedgerContext, PostedEntry } from "./types";

export interface PricedDebitInput {
  accountId: string;
  /** A meter key (db/schema/meters.ts). */
  meter: string;
  /** Units used, an exact decimal string > 0 (db/decimal.ts Quantity). */
  quantity: string;
  idempotencyKey?: string | null;
  description?: string | null;
  metadata?: Record<string, string> | null;
  /** Reject with CurrencyMismatchError unless the account is in this currency. */
  currency?: string | null;
}

/**
 * Debits metered usage: `quantity` x the meter's price in the account's currency in force
 * now (the latest version with effective_from <= now()), computed exactly in PostgreSQL
 * numeric. The cost is added to the account's fractional remainder for this meter
 * (`usage_remainders`, in [0, 1) minor units) and only the whole minor units are debited:
 *   debited = floor(remainder + cost), remainder' = remainder + cost - debited.
 * So over any sequence of events, the total debited is floor(exact total) and what is left
 * (< 1 minor unit per account and meter) is carried to the next event; it is never
 * rounded away or invented. An event whose cost completes no whole minor unit still posts
 * an entry (amount 0) that records meter, quantity and unit price, so every event is
 * explained and idempotent.
 *
 * One transaction under the account's row lock (taken first, so remainder rows are only
 * ever touched by the lock holder and no two transactions wait on each other's rows):
 * lock + meter/price lookup, remainder update, then the usual postEntry statement.
 * Idempotent on (accountId, idempotencyKey). `commit`, when given, runs in the same
 * transaction after the entry (the Idempotency-Key response). Publishes the new balance after commit.
 *
 * @throws UnknownMeterError, MeterArchivedError, NoPriceError, QuantityTooLargeError, and
 *   those of `debit` (InsufficientFundsError, AccountSuspendedError, ...); nothing changes then
 */
export async function pricedDebit(
  ctx: LedgerContext,
  input: PricedDebitInput,
  commit?: (tx: Queryable, posted: PostedEntry) => Promise<void>,
): Promise<PostedEntry> {
  const posted = await ctx.sql.begin(async (tx) => {
    const entry = await postPricedDebit(tx, input);
    await commit?.(tx, entry);
    return entry;
  });
  if (!posted.replayed) ctx.events.publish(toBalanceEvent(posted));
  return posted;
}

/**
 * The statements of `pricedDebit` on a transaction the caller owns (batch ingestion runs
 * several under one lock); publishes nothing. A thrown error leaves the transaction usable
 * only if the caller wrapped this call in a savepoint.
 */
export async function postPricedDebit(tx: Queryable, input: PricedDebitInput): Promise<PostedEntry> {
  const [acc] = await tx<{ currency: string; meter_status: string | null; unit_price: string | null }[]>`
    SELECT a.currency, m.status AS meter_status, trim_scale(p.unit_amount)::text AS unit_price
      FROM accounts a
      LEFT JOIN meters m ON m.key = ${input.meter}
      LEFT JOIN LATERAL (
        SELECT unit_amount FROM meter_prices
         WHERE meter_key = m.key AND currency = a.currency AND effective_from <= now()
         ORDER BY effective_from DESC LIMIT 1) p ON true
     WHERE a.id = ${input.accountId} AND a.kind = 'customer'
       FOR UPDATE OF a`;
  if (!acc) throw new AccountNotFoundError(input.accountId);
  if (input.currency && acc.currency !== input.currency) throw new CurrencyMismatchError(acc.currency, input.currency);
  if (!acc.meter_status) throw new UnknownMeterError(input.meter);
  if (acc.meter_status !== "active") throw new MeterArchivedError(input.meter);
  if (acc.unit_price === null) throw new NoPriceError(input.meter, acc.currency);

  // A new statement, so a new snapshot taken under the row lock: the remainder and any
  // entry with this idempotency key are read as the last lock holder committed them.
  const [step] = await tx<{ replay: boolean; amount: string | null }[]>`
    WITH prior AS (
      SELECT 1 FROM ledger_entries WHERE account_id = ${input.accountId} AND idempotency_key = ${input.idempotencyKey ?? null}
    ), calc AS (
      SELECT coalesce((SELECT remainder FROM usage_remainders WHERE account_id = ${input.accountId} AND meter_key = ${input.meter}), 0)
             + ${input.quantity}::numeric * ${acc.unit_price}::numeric AS total
       WHERE NOT EXISTS (SELECT 1 FROM prior)
    ), carried AS (
      INSERT INTO usage_remainders (account_id, meter_key, remainder)
      SELECT ${input.accountId}, ${input.meter}, total - floor(total) FROM calc WHERE floor(total) <= ${MAX_AMOUNT_MINOR}
      ON CONFLICT (account_id, meter_key) DO UPDATE SET remainder = excluded.remainder, updated_at = now()
    )
    SELECT EXISTS (SELECT 1 FROM prior) AS replay, (SELECT floor(total)::text FROM calc) AS amount`;
  if (step!.replay) return findPostedEntry(tx, input);
  const amount = Number(step!.amount);
  if (!(amount <= MAX_AMOUNT_MINOR)) throw new QuantityTooLargeError(MAX_AMOUNT_MINOR);
  return postEntry(tx, {
    accountId: input.accountId,
    amount: -amount,
    type: "usage",
    contra: "usage_revenue",
    idempotencyKey: input.idempotencyKey,
    description: input.description,
    metadata: input.metadata,
    pricing: { meter: input.meter, quantity: input.quantity, unitPrice: acc.unit_price },
  });
}
