import type postgres from "postgres";
import { AUTO_TOPUP_JOB_MAX_ATTEMPTS, AUTO_TOPUP_TASK } from "../auto-topup/job";
import { BALANCE_LOW_MAX_ATTEMPTS, BALANCE_LOW_TASK } from "../notifications/balance-low";
import type { Queryable } from "../client";
import { newId } from "../ids";
import { toLedgerEntry, type LedgerEntryRow } from "./entry-row";
import {
  AccountClosedError,
  AccountNotFoundError,
  AccountSuspendedError,
  CurrencyMismatchError,
  InsufficientFundsError,
  SpendLimitExceededError,
} from "./errors";
import type { SystemAccountCode } from "./system-accounts";
import type { BalanceEvent, LedgerEntry, PostedEntry } from "./types";

export interface PostEntryInput {
  accountId: string;
  /** Signed minor units from the customer's side: > 0 credit, < 0 debit. */
  amount: number;
  type: LedgerEntry["type"];
  contra: SystemAccountCode;
  idempotencyKey?: string | null;
  externalRef?: string | null;
  description?: string | null;
  metadata?: Record<string, string> | null;
  /** When set, the posting is rejected (CurrencyMismatchError) unless the account is in this currency. */
  expectedCurrency?: string | null;
  /**
   * A payment reversal (refund, dispute; db/ledger/reverse-payment.ts): the money has
   * already left, so a debit posts on a suspended account too, and never starts an auto
   * top-up (that would charge the card a refund just paid back). The funds rule still
   * holds: the caller takes at most what is available.
   */
  reversal?: boolean;
  /** Priced usage (db/ledger/priced-debit.ts): recorded on the entry, whose amount may then be 0. */
  pricing?: Pricing | null;
}

/** What a priced usage entry records: meter key, quantity and unit price (minor units per unit), exact decimals. */
export interface Pricing {
  meter: string;
  quantity: string;
  unitPrice: string;
}

const UNIQUE_VIOLATION = "23505";

/**
 * Spend limits count usage per UTC day and calendar month (UTC; db/schema/accounts.ts):
 * SQL for today and this month, and for today's and this month's usage so far, read from
 * the row's spend counters (`spent_day`, `spent_day_start`, `spent_month`,
 * `spent_month_start`: on accounts and on api_keys).
 */
export const spendSoFar = (q: Queryable) => {
  const day = q`(now() AT TIME ZONE 'UTC')::date`;
  const month = q`date_trunc('month', now() AT TIME ZONE 'UTC')::date`;
  return {
    day,
    month,
    today: q`(CASE WHEN spent_day_start = ${day} THEN spent_day ELSE 0 END)`,
    thisMonth: q`(CASE WHEN spent_month_start = ${month} THEN spent_month ELSE 0 END)`,
  };
};


/**
 * Posts one entry in ONE statement (one round trip): locks and updates the customer
 * account row (`UPDATE ... RETURNING`, which takes the row lock), checks the funds rule
 * in the same WHERE, and inserts the entry with the account's next sequence and the
 * new balance. A debit (amount < 0) needs `status = 'active'` and
 * `balance - held + amount >= -overdraft_limit`; a usage debit also counts itself into
 * the account's spend counters and needs them to stay within its daily and monthly spend
 * limits (same row, same lock, so exact under concurrency like the funds rule); a credit is accepted on active and
 * suspended accounts (paying restores a suspended account), not on closed ones.
 *
 * A debit that takes the balance from >= the account's enabled auto top-up threshold to
 * below it enqueues the `auto_topup` graphile-worker job in the same statement (so in the
 * same transaction, shared/DESIGN.md "Auto top-up"): only crossing debits pay for it, and
 * concurrent debits are serialized by the row lock, so exactly one of them crosses.
 *
 * A posting that takes available below an armed low-balance alert's threshold disarms it
 * and enqueues one `balance_low` job per such alert; one that brings available back to
 * >= a disarmed threshold re-arms it (db/schema/balance-alerts.ts). Same statement, same
 * lock: concurrent debits cross a threshold once, and it fires once.
 *
 * Idempotent on (accountId, idempotencyKey) and on externalRef: a second posting with
 * either returns the original entry with `replayed: true` and changes nothing. A replay
 * is seen in the statement's WHERE (no row matches), so it does not abort a caller's
 * transaction; only two concurrent first postings of one key race to the unique index,
 * and inside an explicit transaction that aborts it (PostgreSQL semantics), so callers in
 * a transaction lock their own row first (see settleTopup).
 *
 * @throws AccountNotFoundError, AccountSuspendedError, AccountClosedError, InsufficientFundsError,
 *   CurrencyMismatchError
 */
export async function postEntry(q: Queryable, input: PostEntryInput): Promise<PostedEntry> {
  const id = newId("le");
  const isCredit = input.amount > 0;
  const keyed = Boolean(input.idempotencyKey || input.externalRef);
  // a replay matches no row instead of violating the unique index, which would abort a caller's transaction
  const notApplied = keyed
    ? q`AND NOT EXISTS (SELECT 1 FROM ledger_entries e
                         WHERE (e.account_id = ${input.accountId} AND e.idempotency_key = ${input.idempotencyKey ?? null})
                            OR e.external_ref = ${input.externalRef ?? null})`
    : q``;
  const isUsage = input.type === "usage";
  // minor units this posting adds to the spend counters (usage debits only)
  const spend = isUsage ? -input.amount : 0;
  const spent = spendSoFar(q);
  let rows: (LedgerEntryRow & { held: number })[];
  try {
    rows = await q<(LedgerEntryRow & { held: number })[]>`
      WITH acc AS (
        UPDATE accounts
           SET balance = balance + ${input.amount}::bigint,
               sequence = sequence + 1,
               updated_at = now(),
               spent_day = CASE WHEN ${isUsage}::boolean THEN ${spent.today} + ${spend}::bigint ELSE spent_day END,
               spent_day_start = CASE WHEN ${isUsage}::boolean THEN ${spent.day} ELSE spent_day_start END,
               spent_month = CASE WHEN ${isUsage}::boolean THEN ${spent.thisMonth} + ${spend}::bigint ELSE spent_month END,
               spent_month_start = CASE WHEN ${isUsage}::boolean THEN ${spent.month} ELSE spent_month_start END
         WHERE id = ${input.accountId}
           AND kind = 'customer'
           AND (status = 'active' OR (${isCredit || input.reversal === true}::boolean AND status = 'suspended'))
           AND (${isCredit}::boolean OR balance - held + ${input.amount}::bigint >= -overdraft_limit)
           AND (${input.expectedCurrency ?? null}::text IS NULL OR currency = ${input.expectedCurrency ?? null})
           ${notApplied}
           AND (NOT ${isUsage}::boolean OR spend_limit_daily IS NULL OR ${spent.today} + ${spend}::bigint <= spend_limit_daily)
           AND (NOT ${isUsage}::boolean OR spend_limit_monthly IS NULL OR ${spent.thisMonth} + ${spend}::bigint <= spend_limit_monthly)
        RETURNING id, currency, balance, held, sequence
      ), ins AS (
        INSERT INTO ledger_entries
          (id, account_id, contra_account_id, type, amount, balance_after, sequence, currency,
           idempotency_key, external_ref, description, metadata, meter, quantity, unit_price)
        SELECT ${id}, acc.id, ${"sys_" + input.contra + "_"} || acc.currency, ${input.type},
               ${input.amount}::bigint, acc.balance, acc.sequence, acc.currency,
               ${input.idempotencyKey ?? null}, ${input.externalRef ?? null},
               ${input.description ?? null}, ${input.metadata ? q.json(input.metadata) : null}::jsonb,
               ${input.pricing?.meter ?? null}, ${input.pricing?.quantity ?? null}::numeric,
               ${input.pricing?.unitPrice ?? null}::numeric
          FROM acc
        RETURNING id, account_id, type, amount, balance_after, sequence, currency,
                  idempotency_key, external_ref, description, metadata, meter, quantity, unit_price, created_at
      ), crossing AS (
        SELECT graphile_worker.add_job(${AUTO_TOPUP_TASK}, json_build_object('accountId', acc.id),
                                       job_key := ${AUTO_TOPUP_TASK + ":"} || acc.id,
                                       max_attempts := ${AUTO_TOPUP_JOB_MAX_ATTEMPTS}::int)
          FROM acc JOIN auto_topup_settings s ON s.account_id = acc.id
         WHERE NOT ${isCredit || input.reversal === true}::boolean AND s.enabled
           AND acc.balance < s.threshold AND acc.balance - ${input.amount}::bigint >= s.threshold
      ), alerts AS (
        UPDATE balance_alerts b SET armed = acc.balance - acc.held >= b.threshold
          FROM acc
         WHERE b.account_id = acc.id AND b.armed <> (acc.balance - acc.held >= b.threshold)
        RETURNING b.account_id, b.threshold, b.armed, acc.balance - acc.held AS available
      ), low AS (
        SELECT graphile_worker.add_job(${BALANCE_LOW_TASK},
                 json_build_object('accountId', account_id, 'threshold', threshold, 'available', available),
                 max_attempts := ${BALANCE_LOW_MAX_ATTEMPTS}::int)
          FROM alerts WHERE NOT armed
      )
      SELECT ins.*, acc.held, (SELECT count(*) FROM crossing) AS auto_topup_jobs, (SELECT count(*) FROM low) AS balance_low_jobs
        FROM ins JOIN acc ON acc.id = ins.account_id`;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const existing = await findExisting(q, input);
    if (!existing) throw new Error("unique violation on ledger_entries but no existing entry found", { cause: err });
    return existing;
  }
  const row = rows[0];
  if (!row) {
    const existing = keyed ? await findExisting(q, input) : null;
    if (existing) return existing;
    throw await explainRejection(q, input);
  }
  return toPosted(row, row.balance_after, row.held, false);
}

function toPosted(row: LedgerEntryRow, balance: number, held: number, replayed: boolean): PostedEntry {
  return { entry: toLedgerEntry(row), balance, held, available: balance - held, replayed };
}

/** The BalanceEvent for a posted entry, stamped with the current time as commit time. */
export function toBalanceEvent(posted: PostedEntry): BalanceEvent {
  return {
    accountId: posted.entry.accountId,
    sequence: posted.entry.sequence,
    balance: posted.balance,
    held: posted.held,
    available: posted.available,
    currency: posted.entry.currency,
    entry: posted.entry,
    committedAtMs: performance.timeOrigin + performance.now(),
  };
}

function isUniqueViolation(err: unknown): err is postgres.PostgresError {
  return (err as postgres.PostgresError | undefined)?.code === UNIQUE_VIOLATION &&
    ((err as postgres.PostgresError).constraint_name ?? "").startsWith("ledger_entries_");
}

/** The entry already posted under input's idempotency key or external ref, as a replay; null if none. */
async function findExisting(
  q: Queryable,
  input: Pick<PostEntryInput, "accountId" | "idempotencyKey" | "externalRef">,
): Promise<PostedEntry | null> {
  const [row] = await q<(LedgerEntryRow & { balance: number; held: number })[]>`
    SELECT e.id, e.account_id, e.type, e.amount, e.balance_after, e.sequence, e.currency,
           e.idempotency_key, e.external_ref, e.description, e.metadata, e.meter, e.quantity, e.unit_price, e.created_at,
           a.balance, a.held
      FROM ledger_entries e JOIN accounts a ON a.id = e.account_id
     WHERE (e.account_id = ${input.accountId} AND e.idempotency_key = ${input.idempotencyKey ?? null})
        OR e.external_ref = ${input.externalRef ?? null}
     LIMIT 1`;
  return row ? toPosted(row, row.balance, row.held, true) : null;
}

/**
 * The entry already posted with `input`'s (accountId, idempotencyKey) or externalRef, as a
 * replay (`replayed: true`) with the account's current balance.
 * @throws Error when there is none (callers look only after a check found one)
 */
export async function findPostedEntry(
  q: Queryable,
  input: Pick<PostEntryInput, "accountId" | "idempotencyKey" | "externalRef">,
): Promise<PostedEntry> {
  const existing = await findExisting(q, input);
  if (!existing) throw new Error("no ledger entry under this idempotency key or external ref");
  return existing;
}

/**
 * Why an account refused a posting of `input.amount` (negative = a debit or a hold), read
 * after the guarded UPDATE matched no row.
 * @returns AccountNotFoundError, CurrencyMismatchError, AccountClosedError, AccountSuspendedError
 *   or InsufficientFundsError, in that order of precedence
 */
export async function explainRejection(
  q: Queryable,
  input: Pick<PostEntryInput, "accountId" | "amount" | "expectedCurrency"> & { type?: PostEntryInput["type"] },
): Promise<Error> {
  const [acc] = await q<
    {
      kind: string; status: string; balance: number; held: number; overdraft_limit: number; currency: string;
      spend_limit_daily: number | null; spend_limit_monthly: number | null; spent_today: number; spent_this_month: number;
    }[]
  >`
    SELECT kind, status, balance, held, overdraft_limit, currency, spend_limit_daily, spend_limit_monthly,
           ${spendSoFar(q).today} AS spent_today, ${spendSoFar(q).thisMonth} AS spent_this_month
      FROM accounts WHERE id = ${input.accountId}`;
  if (!acc || acc.kind !== "customer") return new AccountNotFoundError(input.accountId);
  if (input.expectedCurrency && acc.currency !== input.expectedCurrency) {
    return new CurrencyMismatchError(acc.currency, input.expectedCurrency);
  }
  if (acc.status === "closed") return new AccountClosedError();
  if (acc.status === "suspended") return new AccountSuspendedError();
  if (input.type === "usage") {
    for (const [period, limit, spent] of [
      ["daily", acc.spend_limit_daily, acc.spent_today],
      ["monthly", acc.spend_limit_monthly, acc.spent_this_month],
    ] as const) {
      if (limit !== null && spent - input.amount > limit) return new SpendLimitExceededError(period, limit, spent, -input.amount, acc.currency);
    }
  }
  return new InsufficientFundsError(acc.balance - acc.held + acc.overdraft_limit, -input.amount, acc.currency);
}

