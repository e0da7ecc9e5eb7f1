import type postgres from "postgres";
import { newId } from "../ids";
import { toHoldChange, type HoldChange, type HoldRow } from "./hold-record";
import { explainRejection } from "./post-entry";
import { publishHoldChange } from "./publish-hold";
import type { LedgerContext } from "./types";

export interface CreateHoldInput {
  accountId: string;
  /** Minor units, > 0 (bounded by the caller, db/money.ts). */
  amount: number;
  /** When the hold releases by itself (the expire_holds task). */
  expiresAt: Date;
  idempotencyKey?: string | null;
  description?: string | null;
  /** Reject with CurrencyMismatchError unless the account is in this currency. */
  currency?: string | null;
}

const UNIQUE_VIOLATION = "23505";

/**
 * Reserves `amount` on an active account in ONE statement: the account row update
 * (`held = held + amount`, guarded by `balance - held - amount >= -overdraft_limit`, the
 * same funds rule as a debit) takes the row lock, and the hold row is inserted with it.
 * Idempotent on (accountId, idempotencyKey): a replay returns the original hold (without
 * aborting a caller's transaction).
 * Publishes a `hold.created` notice after commit.
 * @throws InsufficientFundsError, AccountSuspendedError, AccountClosedError, AccountNotFoundError,
 *   CurrencyMismatchError
 */
export async function createHold(ctx: LedgerContext, input: CreateHoldInput): Promise<HoldChange> {
  const { sql } = ctx;
  const key = input.idempotencyKey ?? null;
  let rows: (HoldRow & { balance: number; account_held: number })[];
  try {
    rows = await sql<(HoldRow & { balance: number; account_held: number })[]>`
      WITH acc AS (
        UPDATE accounts SET held = held + ${input.amount}::bigint, updated_at = now()
         WHERE id = ${input.accountId} AND kind = 'customer' AND status = 'active'
           AND balance - held - ${input.amount}::bigint >= -overdraft_limit
           AND (${input.currency ?? null}::text IS NULL OR currency = ${input.currency ?? null})
           -- a replay matches no row instead of aborting a caller's transaction on the unique index
           AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.account_id = ${input.accountId} AND h.idempotency_key = ${key})
        RETURNING id, currency, balance, held
      ), ins AS (
        INSERT INTO holds (id, account_id, amount, currency, idempotency_key, description, expires_at)
        SELECT ${newId("hold")}, acc.id, ${input.amount}::bigint, acc.currency, ${input.idempotencyKey ?? null},
               ${input.description ?? null}, ${input.expiresAt}
          FROM acc
        RETURNING *
      )
      SELECT ins.*, acc.balance, acc.held AS account_held FROM ins JOIN acc ON acc.id = ins.account_id`;
  } catch (err) {
    if ((err as postgres.PostgresError).code !== UNIQUE_VIOLATION) throw err;
    const replay = await findReplay(ctx, input.accountId, key);
    if (!replay) throw err;
    return replay;
  }
  const row = rows[0];
  if (!row) {
    const replay = key ? await findReplay(ctx, input.accountId, key) : null;
    if (replay) return replay;
    throw await explainRejection(sql, { accountId: input.accountId, amount: -input.amount, expectedCurrency: input.currency });
  }
  const change = toHoldChange(row, false);
  publishHoldChange(ctx.events, change);
  return change;
}

/** The hold already created under (accountId, key), as a replay; null if none. */
async function findReplay(ctx: LedgerContext, accountId: string, key: string | null): Promise<HoldChange | null> {
  const [row] = await ctx.sql<(HoldRow & { balance: number; account_held: number })[]>`
    SELECT h.*, a.balance, a.held AS account_held FROM holds h JOIN accounts a ON a.id = h.account_id
     WHERE h.account_id = ${accountId} AND h.idempotency_key = ${key}`;
  return row ? toHoldChange(row, true) : null;
}
