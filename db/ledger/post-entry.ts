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


/** What became of one posting of postEntries: posted now, found (posted before under its key), or refused by a ledger rule. */
export type PostingOutcome = { status: "applied" | "replayed"; posted: PostedEntry } | { status: "rejected"; error: Error };

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
  let outcome: PostingOutcome;
  try {
    [outcome] = (await postEntries(q, [input])) as [PostingOutcome];
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const existing = await findExisting(q, input);
    if (!existing) throw new Error("unique violation on ledger_entries but no existing entry found", { cause: err });
    return existing;
  }
  if (outcome.status === "rejected") throw outcome.error;
  return outcome.posted;
}

/**
 * postEntry for several postings in ONE statement (group commit and per-account coalescing,
 * server/ledger/): the same guarded UPDATE, INSERT, auto top-up and alert steps over the rows
 * of `inputs`, so N postings cost one round trip, one plan, one run of the rollup trigger
 * and, outside a transaction, one commit. The account rows are locked in id order first (as
 * the batch posting does, rule 15), so two such statements never deadlock.
 *
 * Several inputs may name one account when none of them carries an idempotency key or
 * external ref: they are applied in input order as one change of that account (each with
 * its own entry, sequence and balance after), all of them if the rules (status, currency,
 * funds, spend limits) pass for their total. Debits only lower the balance and raise the
 * spend counters, so then every one passes in sequence too; otherwise that account's inputs
 * are posted one by one (one statement each), so each is refused or posted on its own, as
 * if sent alone. Each input keeps its own outcome: one refused by a ledger rule changes
 * nothing and is answered alone (explainRejection), a replay is found by its key.
 * @param inputs all of one `type`, `contra`, sign and `reversal`
 * @returns one outcome per input, in input order
 * @throws Error when `inputs` break that contract; PostgresError 23505 when a concurrent
 *   first posting of the same key won the unique index (the statement changed nothing;
 *   inside a transaction, the transaction is aborted)
 */
export async function postEntries(q: Queryable, inputs: PostEntryInput[]): Promise<PostingOutcome[]> {
  const first = inputs[0];
  if (!first) return [];
  const isCredit = first.amount > 0;
  const reversal = first.reversal === true;
  const keyed = (i: PostEntryInput) => Boolean(i.idempotencyKey || i.externalRef);
  const perAccount = new Map<string, PostEntryInput[]>();
  for (const i of inputs) perAccount.set(i.accountId, [...(perAccount.get(i.accountId) ?? []), i]);
  if (
    inputs.some((i) => i.type !== first.type || i.contra !== first.contra || i.amount > 0 !== isCredit || (i.reversal === true) !== reversal) ||
    [...perAccount.values()].some((same) => same.length > 1 && same.some(keyed))
  ) {
    throw new Error("postEntries: all of one type, contra, sign and reversal; an account's inputs are unkeyed unless alone");
  }
  const accountIds = [...perAccount.keys()];
  // a replay matches no row instead of violating the unique index, which would abort a caller's transaction
  const notApplied = inputs.some(keyed)
    ? q`AND NOT EXISTS (SELECT 1 FROM ledger_entries e
                         WHERE (e.account_id = t.account_id AND e.idempotency_key = t.idempotency_key)
                            OR e.external_ref = t.external_ref)`
    : q``;
  // several rows: lock them in id order before any is updated (no lock cycle between two groups)
  const lockedInOrder =
    accountIds.length > 1
      ? q`AND a.id IN (SELECT id FROM accounts WHERE id = ANY(${accountIds}::text[]) ORDER BY id FOR UPDATE)`
      : q``;
  const isUsage = first.type === "usage";
  const spent = spendSoFar(q);
  const entryIds = inputs.map(() => newId("le"));
  // t.amount: the account's change (the sum of its postings); a usage debit adds -t.amount to the spend counters
  const rows = await q<(LedgerEntryRow & { held: number })[]>`
      WITH v AS (${postingRows(q, inputs, entryIds)}
      ), t AS (
        SELECT account_id, sum(amount)::bigint AS amount, count(*)::bigint AS n,
               min(expected_currency) AS currency_min, max(expected_currency) AS currency_max,
               max(idempotency_key) AS idempotency_key, max(external_ref) AS external_ref
          FROM v GROUP BY account_id
      ), acc AS (
        UPDATE accounts a
           SET balance = a.balance + t.amount,
               sequence = a.sequence + t.n,
               updated_at = now(),
               spent_day = CASE WHEN ${isUsage}::boolean THEN ${spent.today} - t.amount ELSE spent_day END,
               spent_day_start = CASE WHEN ${isUsage}::boolean THEN ${spent.day} ELSE spent_day_start END,
               spent_month = CASE WHEN ${isUsage}::boolean THEN ${spent.thisMonth} - t.amount ELSE spent_month END,
               spent_month_start = CASE WHEN ${isUsage}::boolean THEN ${spent.month} ELSE spent_month_start END
          FROM t
         WHERE a.id = t.account_id
           ${lockedInOrder}
           AND a.kind = 'customer'
           AND (a.status = 'active' OR (${isCredit || reversal}::boolean AND a.status = 'suspended'))
           AND (${isCredit}::boolean OR a.balance - a.held + t.amount >= -a.overdraft_limit)
           AND (t.currency_min IS NULL OR (a.currency = t.currency_min AND a.currency = t.currency_max))
           ${notApplied}
           AND (NOT ${isUsage}::boolean OR a.spend_limit_daily IS NULL OR ${spent.today} - t.amount <= a.spend_limit_daily)
           AND (NOT ${isUsage}::boolean OR a.spend_limit_monthly IS NULL OR ${spent.thisMonth} - t.amount <= a.spend_limit_monthly)
        RETURNING a.id, a.currency, a.balance, a.held, a.sequence, t.amount, t.n
      ), ins AS (
        INSERT INTO ledger_entries
          (id, account_id, contra_account_id, type, amount, balance_after, sequence, currency,
           idempotency_key, external_ref, description, metadata, meter, quantity, unit_price)
        SELECT v.entry_id, acc.id, ${"sys_" + first.contra + "_"} || acc.currency, ${first.type}, v.amount,
               acc.balance - acc.amount + sum(v.amount) OVER w, acc.sequence - acc.n + row_number() OVER w,
               acc.currency, v.idempotency_key, v.external_ref,
               v.description, v.metadata::jsonb, v.meter, v.quantity::numeric, v.unit_price::numeric
          FROM v JOIN acc ON acc.id = v.account_id
        WINDOW w AS (PARTITION BY v.account_id ORDER BY v.ord)
        RETURNING id, account_id, type, amount, balance_after, sequence, currency,
                  idempotency_key, external_ref, description, metadata, meter, quantity, unit_price, created_at
      ), crossing AS (
        SELECT graphile_worker.add_job(${AUTO_TOPUP_TASK}, json_build_object('accountId', acc.id),
                                       job_key := ${AUTO_TOPUP_TASK + ":"} || acc.id,
                                       max_attempts := ${AUTO_TOPUP_JOB_MAX_ATTEMPTS}::int)
          FROM acc JOIN auto_topup_settings s ON s.account_id = acc.id
         WHERE NOT ${isCredit || reversal}::boolean AND s.enabled
           AND acc.balance < s.threshold AND acc.balance - acc.amount >= s.threshold
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
  const byEntry = new Map(rows.map((r) => [r.id, r]));
  const outcomes: PostingOutcome[] = new Array(inputs.length);
  const refused = new Map<string, number[]>(); // account -> indexes of its inputs not applied
  inputs.forEach((input, i) => {
    const row = byEntry.get(entryIds[i]!);
    if (row) outcomes[i] = { status: "applied", posted: toPosted(row, row.balance_after, row.held, false) };
    else refused.set(input.accountId, [...(refused.get(input.accountId) ?? []), i]);
  });
  for (const indexes of refused.values()) {
    if (indexes.length > 1) {
      // refused as a whole: each on its own, in order (some may pass alone)
      for (const i of indexes) outcomes[i] = (await postEntries(q, [inputs[i]!]))[0]!;
      continue;
    }
    const input = inputs[indexes[0]!]!;
    const existing = keyed(input) ? await findExisting(q, input) : null;
    outcomes[indexes[0]!] = existing
      ? { status: "replayed", posted: existing }
      : { status: "rejected", error: await explainRejection(q, input) };
  }
  return outcomes;
}

/**
 * The postings of postEntries as rows `v(entry_id, account_id, amount, idempotency_key,
 * external_ref, description, metadata, expected_currency, meter, quantity, unit_price, ord)`
 * (`ord`: the input's position): one input as one row of scalar parameters, several as
 * unnest arrays. The one-row form keeps the single posting's plan generic: PostgreSQL sizes
 * `unnest` of an array parameter by the array it is given, so a prepared unnest statement
 * was re-planned on every call (custom plans; one hot account in `npm run bench`: 1 384 µs
 * of PostgreSQL CPU per debit against 653 µs with the plan cached).
 */
function postingRows(q: Queryable, inputs: PostEntryInput[], entryIds: string[]) {
  const column = <T>(f: (i: PostEntryInput) => T) => inputs.map(f);
  const metadata = (i: PostEntryInput) => (i.metadata ? JSON.stringify(i.metadata) : null);
  const [one] = inputs;
  if (inputs.length === 1 && one) {
    return q`SELECT ${entryIds[0]!}::text AS entry_id, ${one.accountId}::text AS account_id, ${one.amount}::bigint AS amount,
                    ${one.idempotencyKey ?? null}::text AS idempotency_key, ${one.externalRef ?? null}::text AS external_ref,
                    ${one.description ?? null}::text AS description, ${metadata(one)}::text AS metadata,
                    ${one.expectedCurrency ?? null}::text AS expected_currency, ${one.pricing?.meter ?? null}::text AS meter,
                    ${one.pricing?.quantity ?? null}::text AS quantity, ${one.pricing?.unitPrice ?? null}::text AS unit_price,
                    1::bigint AS ord`;
  }
  // OFFSET 0 keeps the arrays out of the planner's sight (an unnest of a known array is sized
  // by it): every group size then gets the same estimate, and the statement a generic plan
  return q`SELECT v.* FROM (SELECT ${entryIds}::text[] AS entry_id, ${column((i) => i.accountId)}::text[] AS account_id,
                                   ${column((i) => i.amount)}::bigint[] AS amount, ${column((i) => i.idempotencyKey ?? null)}::text[] AS idempotency_key,
                                   ${column((i) => i.externalRef ?? null)}::text[] AS external_ref,
                                   ${column((i) => i.description ?? null)}::text[] AS description, ${column(metadata)}::text[] AS metadata,
                                   ${column((i) => i.expectedCurrency ?? null)}::text[] AS expected_currency,
                                   ${column((i) => i.pricing?.meter ?? null)}::text[] AS meter,
                                   ${column((i) => i.pricing?.quantity ?? null)}::text[] AS quantity,
                                   ${column((i) => i.pricing?.unitPrice ?? null)}::text[] AS unit_price
                           OFFSET 0) p
             CROSS JOIN LATERAL unnest(p.entry_id, p.account_id, p.amount, p.idempotency_key, p.external_ref, p.description,
                                       p.metadata, p.expected_currency, p.meter, p.quantity, p.unit_price) WITH ORDINALITY
               AS v(entry_id, account_id, amount, idempotency_key, external_ref, description, metadata, expected_currency, meter, quantity, unit_price, ord)`;
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

/** A unique violation on one of ledger_entries' unique indexes (a concurrent first posting of the same key or ref). */
export function isUniqueViolation(err: unknown): err is postgres.PostgresError {
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

