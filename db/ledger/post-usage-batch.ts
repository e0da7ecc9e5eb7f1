import type postgres from "postgres";
import { AUTO_TOPUP_JOB_MAX_ATTEMPTS, AUTO_TOPUP_TASK } from "../auto-topup/job";
import { MAX_AMOUNT_MINOR } from "../money";
import { BALANCE_LOW_MAX_ATTEMPTS, BALANCE_LOW_TASK } from "../notifications/balance-low";
import { newId } from "../ids";
import { toLedgerEntry, type LedgerEntryRow } from "./entry-row";
import {
  AccountClosedError,
  AccountNotFoundError,
  AccountSuspendedError,
  CurrencyMismatchError,
  InsufficientFundsError,
  LedgerError,
  MeterArchivedError,
  NoPriceError,
  QuantityTooLargeError,
  SpendLimitExceededError,
  UnknownMeterError,
} from "./errors";
import { spendSoFar, toBalanceEvent } from "./post-entry";
import { ledgerTransaction } from "./transaction";
import type { LedgerContext, PostedEntry } from "./types";
import type { Queryable } from "../client";

/** Most events in one batch (shared/DESIGN.md, "Priced usage"; "put a limit on everything"). */
export const MAX_BATCH_EVENTS = 1000;

/**
 * One validated usage event: an amount, or a meter and quantity. `id` is its idempotency
 * key on its account; null (a single event sent without an Idempotency-Key) posts it unkeyed.
 */
export interface UsageEvent {
  id: string | null;
  accountId: string;
  /** Minor units, > 0 (validated by the caller against db/money.ts bounds). */
  amount?: number;
  /** A meter key (db/schema/meters.ts), with `quantity`, an exact decimal string > 0 (db/decimal.ts). */
  meter?: string;
  quantity?: string;
  description?: string | null;
  metadata?: Record<string, string> | null;
  /** Reject with CurrencyMismatchError unless the account is in this currency (POST /usage's `currency`). */
  currency?: string | null;
  /**
   * The API key that sent the event (api_keys.id), when it is a key with spend limits of its
   * own: the event then also counts into, and must stay within, that key's daily and monthly
   * limits (db/schema/api-keys.ts). Null or absent: only the account's limits apply.
   */
  apiKeyId?: string | null;
}

/** What became of one event: posted now, found (already posted with this id), or refused by a ledger rule. */
export type UsageOutcome =
  | { status: "applied" | "replayed"; posted: PostedEntry }
  | { status: "rejected"; error: LedgerError };

/**
 * Posts usage events (plain amounts and priced ones, for any number of accounts) in ONE
 * transaction with a fixed handful of statements, whatever the batch's size
 * (db/ledger/README.md, rule 15):
 *
 * 1. reads, pipelined in one round trip: every touched account row locked `FOR UPDATE` in
 *    id order (so two batches never wait on each other in a cycle), then, in later
 *    statements whose snapshots see everything the previous lock holders committed: the
 *    entries already posted under the events' ids (their idempotency keys), the meters and
 *    prices in force, the carried remainders, the low-balance alerts and auto top-up settings;
 * 2. each event's outcome, computed in order in TypeScript from that locked state with the
 *    rules of postEntry and postPricedDebit (funds incl. holds and overdraft, status,
 *    currency, spend limits, priced cost with the remainder carried per account and meter
 *    in exact scaled-bigint arithmetic, alert hysteresis, auto top-up crossing);
 * 3. writes, pipelined: all entries, account rows, remainders and alert states as
 *    multi-row statements over unnest()ed arrays, and the balance_low / auto_topup jobs
 *    (writeBatch, the one place that writes a batch).
 *
 * Each event is applied at most once, ever: its id is its idempotency key on its account
 * (ledger_entries' unique index), checked under the account's lock, so a concurrent
 * identical batch waits for the lock and then sees the entries as replays. An id repeated
 * within the batch gets the first occurrence's outcome (`replayed` if it was applied). A
 * refused event changes nothing and does not stop the others. BalanceEvents are published
 * after the commit, in order. Outcomes are returned in input order.
 * @throws when the transaction fails for a reason other than a ledger rule (nothing was posted then)
 */
export async function postUsageBatch(ctx: LedgerContext, events: UsageEvent[]): Promise<UsageOutcome[]> {
  if (events.length === 0) return [];
  const outcomes = await ctx.sql.begin((tx) => postUsageEvents(tx, events));
  const committedAtMs = performance.timeOrigin + performance.now();
  for (const o of outcomes) if (o.status === "applied") ctx.events.publish({ ...toBalanceEvent(o.posted), committedAtMs });
  return outcomes;
}

/**
 * One usage event (an amount, or a meter and quantity) posted alone in its own transaction
 * by the batch posting's rules: the path of POST /usage for an API key with spend limits of
 * its own, whose counters only the batch posting locks and keeps. `commit` runs in the same
 * transaction after the entry (the Idempotency-Key response); the BalanceEvent is published
 * after the commit.
 * @throws the LedgerError that refused the event (InsufficientFundsError,
 *   SpendLimitExceededError, UnknownMeterError, ...); nothing changed then
 */
export async function postUsageEvent(
  ctx: LedgerContext,
  event: UsageEvent,
  commit?: (tx: Queryable, posted: PostedEntry) => Promise<void>,
): Promise<PostedEntry> {
  return ledgerTransaction(ctx, async (t) => {
    const [outcome] = await postUsageEvents(t.tx, [event]);
    if (outcome!.status === "rejected") throw outcome!.error;
    await commit?.(t.tx, outcome!.posted);
    if (outcome!.status === "applied") t.events.publish(toBalanceEvent(outcome!.posted));
    return outcome!.posted;
  });
}

/** A locked customer account as the batch computes on it. */
interface AccountState {
  id: string;
  status: string;
  currency: string;
  balance: number;
  held: number;
  overdraftLimit: number;
  sequence: number;
  spendLimitDaily: number | null;
  spendLimitMonthly: number | null;
  spentToday: number;
  spentThisMonth: number;
  /** Today and this month (UTC dates, YYYY-MM-DD) as the spend counters count them. */
  day: string;
  month: string;
  /** Low-balance alerts: threshold -> armed. */
  alerts: Map<number, boolean>;
  autoTopupThreshold: number | null;
  /** True once an event was applied (the row is written back). */
  changed: boolean;
}

/** A locked API key with spend limits, as the batch computes on it (counters as of today / this month). */
interface ApiKeyState {
  id: string;
  spendLimitDaily: number | null;
  spendLimitMonthly: number | null;
  spentToday: number;
  spentThisMonth: number;
  changed: boolean;
}

/** A ledger entry to insert, and the answer it becomes. */
interface NewEntry {
  row: Omit<LedgerEntryRow, "created_at">;
  held: number;
  index: number;
}

/** Everything a batch writes, computed from the locked state (see writeBatch). */
interface BatchWrites {
  accounts: AccountState[];
  /** API keys whose spend counters changed (written with the accounts' day and month). */
  apiKeys: ApiKeyState[];
  entries: NewEntry[];
  /** "accountId\0meter" -> new remainder (decimal string, [0, 1)). */
  remainders: Map<string, string>;
  alerts: { accountId: string; threshold: number; armed: boolean }[];
  balanceLow: { accountId: string; threshold: number; available: number }[];
  autoTopups: string[];
}

/** Decimal places of the scaled bigints: a quantity and a unit price have at most 12 each (db/decimal.ts). */
const SCALE_DIGITS = 24;
const SCALE = 10n ** BigInt(SCALE_DIGITS);

/**
 * An exact non-negative decimal string ("1500", "0.00025") as a bigint scaled by 10^24.
 * @throws Error when it has more than 24 decimal places (no quantity x price has)
 */
function toScaled(decimal: string): bigint {
  const [whole, fraction = ""] = decimal.split(".");
  if (fraction.length > SCALE_DIGITS) throw new Error(`decimal ${decimal} has more than ${SCALE_DIGITS} decimal places`);
  return BigInt(whole!) * SCALE + BigInt(fraction.padEnd(SCALE_DIGITS, "0"));
}

/** A scaled bigint in [0, 1) back to a decimal string without trailing zeros ("0.5", "0"). */
function fractionToDecimal(scaled: bigint): string {
  if (scaled === 0n) return "0";
  return `0.${scaled.toString().padStart(SCALE_DIGITS, "0").replace(/0+$/, "")}`;
}

const pairKey = (a: string, b: string) => `${a}\u0000${b}`;

/** The statements and computation of postUsageBatch on a transaction the caller owns; publishes nothing. */
async function postUsageEvents(tx: postgres.TransactionSql, events: UsageEvent[]): Promise<UsageOutcome[]> {
  const accountIds = [...new Set(events.map((e) => e.accountId))].sort();
  const meterKeys = [...new Set(events.flatMap((e) => (e.meter === undefined ? [] : [e.meter])))];
  const priced = events.filter((e) => e.meter !== undefined);
  const keyed = events.filter((e) => e.id !== null);
  const apiKeyIds = [...new Set(events.flatMap((e) => (e.apiKeyId ? [e.apiKeyId] : [])))].sort();
  const spent = spendSoFar(tx);
  // one round trip: the lock first; each later statement takes its snapshot after it, so
  // it sees every entry, remainder and alert state committed by an earlier lock holder.
  // API keys are locked after the accounts (always that order; nothing locks a key first
  // and then an account), and FOR UPDATE reads their latest committed counters.
  const [locked, keys, posted, prices, remainders, alerts, autoTopups] = await Promise.all([
    tx<
      {
        id: string; status: string; currency: string; balance: number; held: number; overdraft_limit: number; sequence: number;
        spend_limit_daily: number | null; spend_limit_monthly: number | null; spent_today: number; spent_this_month: number;
        day: string; month: string;
      }[]
    >`
      SELECT id, status, currency, balance, held, overdraft_limit, sequence, spend_limit_daily, spend_limit_monthly,
             ${spent.today} AS spent_today, ${spent.thisMonth} AS spent_this_month,
             ${spent.day}::text AS day, ${spent.month}::text AS month
        FROM accounts WHERE id = ANY(${accountIds}::text[]) AND kind = 'customer'
       ORDER BY id FOR UPDATE`,
    apiKeyIds.length === 0
      ? []
      : tx<{ id: string; spend_limit_daily: number | null; spend_limit_monthly: number | null; spent_today: number; spent_this_month: number }[]>`
          SELECT id, spend_limit_daily, spend_limit_monthly, ${spent.today} AS spent_today, ${spent.thisMonth} AS spent_this_month
            FROM api_keys WHERE id = ANY(${apiKeyIds}::text[])
           ORDER BY id FOR UPDATE`,
    tx<(LedgerEntryRow & { held: number })[]>`
      SELECT e.id, e.account_id, e.type, e.amount, e.balance_after, e.sequence, e.currency,
             e.idempotency_key, e.external_ref, e.description, e.metadata, e.meter, e.quantity, e.unit_price, e.created_at
        FROM ledger_entries e
        JOIN unnest(${keyed.map((e) => e.accountId)}::text[], ${keyed.map((e) => e.id)}::text[]) AS k(account_id, key)
          ON e.account_id = k.account_id AND e.idempotency_key = k.key`,
    meterKeys.length === 0
      ? []
      : tx<{ key: string; status: string; currency: string; unit_price: string | null }[]>`
          SELECT m.key, m.status, c.currency,
                 (SELECT trim_scale(p.unit_amount)::text FROM meter_prices p
                   WHERE p.meter_key = m.key AND p.currency = c.currency AND p.effective_from <= now()
                   ORDER BY p.effective_from DESC LIMIT 1) AS unit_price
            FROM meters m
           CROSS JOIN (SELECT DISTINCT currency FROM accounts WHERE id = ANY(${accountIds}::text[])) c
           WHERE m.key = ANY(${meterKeys}::text[])`,
    priced.length === 0
      ? []
      : tx<{ account_id: string; meter_key: string; remainder: string }[]>`
          SELECT r.account_id, r.meter_key, r.remainder::text AS remainder
            FROM usage_remainders r
            JOIN unnest(${priced.map((e) => e.accountId)}::text[], ${priced.map((e) => e.meter!)}::text[]) AS k(account_id, meter_key)
              ON r.account_id = k.account_id AND r.meter_key = k.meter_key`,
    tx<{ account_id: string; threshold: number; armed: boolean }[]>`
      SELECT account_id, threshold, armed FROM balance_alerts WHERE account_id = ANY(${accountIds}::text[])`,
    tx<{ account_id: string; threshold: number }[]>`
      SELECT account_id, threshold FROM auto_topup_settings WHERE account_id = ANY(${accountIds}::text[]) AND enabled`,
  ]);

  const accounts = new Map<string, AccountState>(
    locked.map((a) => [
      a.id,
      {
        id: a.id, status: a.status, currency: a.currency, balance: a.balance, held: a.held, overdraftLimit: a.overdraft_limit,
        sequence: a.sequence, spendLimitDaily: a.spend_limit_daily, spendLimitMonthly: a.spend_limit_monthly,
        spentToday: a.spent_today, spentThisMonth: a.spent_this_month, day: a.day, month: a.month,
        alerts: new Map(), autoTopupThreshold: null, changed: false,
      },
    ]),
  );
  for (const a of alerts) accounts.get(a.account_id)?.alerts.set(a.threshold, a.armed);
  for (const s of autoTopups) {
    const acc = accounts.get(s.account_id);
    if (acc) acc.autoTopupThreshold = s.threshold;
  }
  const plan = planBatch(events, {
    accounts,
    apiKeys: new Map(
      keys.map((k) => [
        k.id,
        {
          id: k.id, spendLimitDaily: k.spend_limit_daily, spendLimitMonthly: k.spend_limit_monthly,
          spentToday: k.spent_today, spentThisMonth: k.spent_this_month, changed: false,
        },
      ]),
    ),
    posted: new Map(posted.map((r) => [pairKey(r.account_id, r.idempotency_key!), r])),
    prices: new Map(prices.map((p) => [pairKey(p.key, p.currency), p])),
    remainders: new Map(remainders.map((r) => [pairKey(r.account_id, r.meter_key), r.remainder])),
  });
  const createdAt = await writeBatch(tx, plan.writes);
  for (const e of plan.writes.entries) {
    const entry = toLedgerEntry({ ...e.row, created_at: createdAt.get(e.row.id)! });
    const balance = e.row.balance_after;
    plan.outcomes[e.index] = { status: "applied", posted: { entry, balance, held: e.held, available: balance - e.held, replayed: false } };
  }
  // an id repeated within the batch answers what its first occurrence became
  return Array.from(plan.outcomes, (o, i): UsageOutcome => {
    const first = plan.firstOf[i];
    if (first === undefined) return o!;
    const earlier = plan.outcomes[first]!;
    return earlier.status === "applied" ? { status: "replayed", posted: { ...earlier.posted, replayed: true } } : earlier;
  });
}

/** The state planBatch computes on, read under the locks. */
interface LockedState {
  accounts: Map<string, AccountState>;
  /** The events' API keys (those with spend limits), by id. */
  apiKeys: Map<string, ApiKeyState>;
  /** "accountId\0idempotencyKey" -> the entry already posted under it. */
  posted: Map<string, LedgerEntryRow>;
  /** "meterKey\0currency" -> the meter's status and unit price in force (null: none). */
  prices: Map<string, { status: string; unit_price: string | null }>;
  /** "accountId\0meterKey" -> carried remainder (decimal string). */
  remainders: Map<string, string>;
}

/**
 * Each event's outcome, in order, by the rules of postEntry / postPricedDebit (their
 * rejection precedence included), and the writes that apply them. Outcomes of applied
 * events are filled in after writeBatch (the entries' created_at); `firstOf[i]` is set for
 * an event whose id already occurred earlier for the same account.
 */
function planBatch(events: UsageEvent[], state: LockedState) {
  const outcomes = new Array<UsageOutcome | undefined>(events.length);
  const firstOf = new Array<number | undefined>(events.length);
  const writes: BatchWrites = { accounts: [], apiKeys: [], entries: [], remainders: new Map(), alerts: [], balanceLow: [], autoTopups: [] };
  const seen = new Map<string, number>();
  const reject = (i: number, error: LedgerError) => (outcomes[i] = { status: "rejected", error });

  events.forEach((e, i) => {
    const key = e.id === null ? null : pairKey(e.accountId, e.id);
    const earlier = key === null ? undefined : seen.get(key);
    if (earlier !== undefined) return void (firstOf[i] = earlier);
    if (key !== null) seen.set(key, i);
    const acc = state.accounts.get(e.accountId);
    const done = key === null ? undefined : state.posted.get(key);
    if (done && acc) {
      outcomes[i] = { status: "replayed", posted: { entry: toLedgerEntry(done), balance: acc.balance, held: acc.held, available: acc.balance - acc.held, replayed: true } };
      return;
    }
    if (!acc) return void reject(i, new AccountNotFoundError(e.accountId));
    if (e.currency && e.currency !== acc.currency) return void reject(i, new CurrencyMismatchError(acc.currency, e.currency));

    // the amount: given, or the whole minor units of remainder + quantity x unit price
    let amount = e.amount ?? 0;
    let pricing: { meter: string; quantity: string; unitPrice: string; remainder: string } | null = null;
    if (e.meter !== undefined) {
      const price = state.prices.get(pairKey(e.meter, acc.currency));
      if (!price) return void reject(i, new UnknownMeterError(e.meter));
      if (price.status !== "active") return void reject(i, new MeterArchivedError(e.meter));
      if (price.unit_price === null) return void reject(i, new NoPriceError(e.meter, acc.currency));
      const remainderKey = pairKey(acc.id, e.meter);
      const carried = writes.remainders.get(remainderKey) ?? state.remainders.get(remainderKey) ?? "0";
      const total = toScaled(carried) + (toScaled(e.quantity!) * toScaled(price.unit_price)) / SCALE;
      const whole = total / SCALE;
      if (whole > BigInt(MAX_AMOUNT_MINOR)) return void reject(i, new QuantityTooLargeError(MAX_AMOUNT_MINOR));
      amount = Number(whole);
      pricing = { meter: e.meter, quantity: e.quantity!, unitPrice: price.unit_price, remainder: fractionToDecimal(total % SCALE) };
    }

    const apiKey = e.apiKeyId ? state.apiKeys.get(e.apiKeyId) : undefined;
    const refusal = refuseDebit(acc, amount, apiKey);
    if (refusal) return void reject(i, refusal);
    if (apiKey) {
      apiKey.spentToday += amount;
      apiKey.spentThisMonth += amount;
      if (!apiKey.changed) writes.apiKeys.push(apiKey);
      apiKey.changed = true;
    }

    const before = acc.balance;
    acc.balance -= amount;
    acc.sequence += 1;
    acc.spentToday += amount;
    acc.spentThisMonth += amount;
    if (!acc.changed) writes.accounts.push(acc);
    acc.changed = true;
    if (pricing) writes.remainders.set(pairKey(acc.id, pricing.meter), pricing.remainder);
    writes.entries.push({
      index: i,
      held: acc.held,
      row: {
        id: newId("le"), account_id: acc.id, type: "usage", amount: -amount, balance_after: acc.balance, sequence: acc.sequence,
        currency: acc.currency, idempotency_key: e.id, external_ref: null, description: e.description ?? null,
        metadata: e.metadata ?? null, meter: pricing?.meter ?? null, quantity: pricing?.quantity ?? null, unit_price: pricing?.unitPrice ?? null,
      },
    });
    // auto top-up: this debit took the balance from >= threshold to below it
    if (acc.autoTopupThreshold !== null && acc.balance < acc.autoTopupThreshold && before >= acc.autoTopupThreshold) {
      writes.autoTopups.push(acc.id);
    }
    // low-balance alerts: armed follows available >= threshold; disarming fires balance_low
    const available = acc.balance - acc.held;
    for (const [threshold, armed] of acc.alerts) {
      if (armed === available >= threshold) continue;
      acc.alerts.set(threshold, !armed);
      writes.alerts.push({ accountId: acc.id, threshold, armed: !armed });
      if (armed) writes.balanceLow.push({ accountId: acc.id, threshold, available });
    }
  });
  return { outcomes, firstOf, writes };
}

/**
 * Why `acc` refuses a usage debit of `amount` minor units (>= 0), or null: postEntry's
 * WHERE, in explainRejection's order (closed, suspended, daily then monthly spend limit, funds),
 * with the sending API key's own daily and monthly limits after the account's.
 */
function refuseDebit(acc: AccountState, amount: number, apiKey?: ApiKeyState): LedgerError | null {
  if (acc.status === "closed") return new AccountClosedError();
  if (acc.status !== "active") return new AccountSuspendedError();
  if (acc.spendLimitDaily !== null && acc.spentToday + amount > acc.spendLimitDaily) {
    return new SpendLimitExceededError("daily", acc.spendLimitDaily, acc.spentToday, amount, acc.currency);
  }
  if (acc.spendLimitMonthly !== null && acc.spentThisMonth + amount > acc.spendLimitMonthly) {
    return new SpendLimitExceededError("monthly", acc.spendLimitMonthly, acc.spentThisMonth, amount, acc.currency);
  }
  if (apiKey?.spendLimitDaily != null && apiKey.spentToday + amount > apiKey.spendLimitDaily) {
    return new SpendLimitExceededError("daily", apiKey.spendLimitDaily, apiKey.spentToday, amount, acc.currency, "api_key");
  }
  if (apiKey?.spendLimitMonthly != null && apiKey.spentThisMonth + amount > apiKey.spendLimitMonthly) {
    return new SpendLimitExceededError("monthly", apiKey.spendLimitMonthly, apiKey.spentThisMonth, amount, acc.currency, "api_key");
  }
  if (acc.balance - acc.held - amount < -acc.overdraftLimit) {
    return new InsufficientFundsError(acc.balance - acc.held + acc.overdraftLimit, amount, acc.currency);
  }
  return null;
}

/**
 * Writes a planned batch with multi-row statements, pipelined in one round trip: the
 * entries, the account rows (balance, sequence, spend counters), the API keys' spend
 * counters, the carried remainders,
 * the alert states, and the balance_low / auto_topup jobs (same transaction). The one
 * place a batch writes: anything else a usage posting must maintain goes here.
 * @returns each inserted entry's created_at by entry id
 */
async function writeBatch(tx: postgres.TransactionSql, w: BatchWrites): Promise<Map<string, Date>> {
  if (w.entries.length === 0) return new Map();
  const spent = spendSoFar(tx);
  const rows = w.entries.map((e) => e.row);
  const col = <K extends keyof NewEntry["row"]>(k: K) => rows.map((r) => r[k]);
  const [inserted] = await Promise.all([
    tx<{ id: string; created_at: Date }[]>`
      INSERT INTO ledger_entries
        (id, account_id, contra_account_id, type, amount, balance_after, sequence, currency,
         idempotency_key, description, metadata, meter, quantity, unit_price)
      SELECT id, account_id, 'sys_usage_revenue_' || currency, 'usage', amount, balance_after, sequence, currency,
             idempotency_key, description, metadata::jsonb, meter, quantity::numeric, unit_price::numeric
        FROM unnest(${col("id")}::text[], ${col("account_id")}::text[], ${col("amount")}::bigint[],
                    ${col("balance_after")}::bigint[], ${col("sequence")}::bigint[], ${col("currency")}::text[],
                    ${col("idempotency_key")}::text[], ${col("description")}::text[],
                    ${rows.map((r) => (r.metadata ? JSON.stringify(r.metadata) : null))}::text[],
                    ${col("meter")}::text[], ${col("quantity")}::text[], ${col("unit_price")}::text[])
          AS v(id, account_id, amount, balance_after, sequence, currency, idempotency_key, description, metadata, meter, quantity, unit_price)
      RETURNING id, created_at`,
    // `a.id = ANY(...)` lets the planner probe the primary key instead of hashing every account
    tx`
      UPDATE accounts a
         SET balance = v.balance, sequence = v.sequence, updated_at = now(),
             spent_day = v.spent_day, spent_day_start = v.day::date, spent_month = v.spent_month, spent_month_start = v.month::date
        FROM unnest(${w.accounts.map((a) => a.id)}::text[], ${w.accounts.map((a) => a.balance)}::bigint[],
                    ${w.accounts.map((a) => a.sequence)}::bigint[], ${w.accounts.map((a) => a.spentToday)}::bigint[],
                    ${w.accounts.map((a) => a.day)}::text[], ${w.accounts.map((a) => a.spentThisMonth)}::bigint[],
                    ${w.accounts.map((a) => a.month)}::text[])
          AS v(id, balance, sequence, spent_day, day, spent_month, month)
       WHERE a.id = v.id AND a.id = ANY(${w.accounts.map((a) => a.id)}::text[])`,
    w.apiKeys.length === 0
      ? []
      : tx`
          UPDATE api_keys k
             SET spent_day = v.spent_day, spent_day_start = ${spent.day}, spent_month = v.spent_month, spent_month_start = ${spent.month}
            FROM unnest(${w.apiKeys.map((k) => k.id)}::text[], ${w.apiKeys.map((k) => k.spentToday)}::bigint[],
                        ${w.apiKeys.map((k) => k.spentThisMonth)}::bigint[]) AS v(id, spent_day, spent_month)
           WHERE k.id = v.id`,
    w.remainders.size === 0
      ? []
      : tx`
          INSERT INTO usage_remainders (account_id, meter_key, remainder)
          SELECT account_id, meter_key, remainder::numeric
            FROM unnest(${[...w.remainders.keys()].map((k) => k.split("\u0000")[0]!)}::text[],
                        ${[...w.remainders.keys()].map((k) => k.split("\u0000")[1]!)}::text[],
                        ${[...w.remainders.values()]}::text[]) AS v(account_id, meter_key, remainder)
          ON CONFLICT (account_id, meter_key) DO UPDATE SET remainder = excluded.remainder, updated_at = now()`,
    w.alerts.length === 0
      ? []
      : tx`
          UPDATE balance_alerts b SET armed = v.armed
            FROM (SELECT DISTINCT ON (account_id, threshold) account_id, threshold, armed::boolean AS armed
                    FROM unnest(${w.alerts.map((a) => a.accountId)}::text[], ${w.alerts.map((a) => a.threshold)}::bigint[],
                                ${w.alerts.map((a) => String(a.armed))}::text[]) WITH ORDINALITY AS u(account_id, threshold, armed, n)
                   ORDER BY account_id, threshold, n DESC) v
           WHERE b.account_id = v.account_id AND b.threshold = v.threshold`,
    w.balanceLow.length === 0
      ? []
      : tx`
          SELECT graphile_worker.add_job(${BALANCE_LOW_TASK},
                   json_build_object('accountId', account_id, 'threshold', threshold, 'available', available),
                   max_attempts := ${BALANCE_LOW_MAX_ATTEMPTS}::int)
            FROM unnest(${w.balanceLow.map((b) => b.accountId)}::text[], ${w.balanceLow.map((b) => b.threshold)}::bigint[],
                        ${w.balanceLow.map((b) => b.available)}::bigint[]) AS v(account_id, threshold, available)`,
    w.autoTopups.length === 0
      ? []
      : tx`
          SELECT graphile_worker.add_job(${AUTO_TOPUP_TASK}, json_build_object('accountId', account_id),
                   job_key := ${AUTO_TOPUP_TASK + ":"} || account_id, max_attempts := ${AUTO_TOPUP_JOB_MAX_ATTEMPTS}::int)
            FROM unnest(${w.autoTopups}::text[]) AS v(account_id)`,
  ]);
  return new Map(inserted.map((r) => [r.id, r.created_at]));
}
