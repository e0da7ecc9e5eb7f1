import type { Queryable } from "../db/client";
import { nextEligibleAt, type SettingsRow } from "../db/auto-topup/settings";
import { MAX_TOPUP_MINOR, MIN_TOPUP_MINOR } from "../db/ledger/create-topup";
import { notice } from "../db/ledger/notice";
import { findChargeableCard, type PaymentMethodRow } from "../db/ledger/payment-methods";
import type { TopupRow } from "../db/ledger/topup-record";
import type { LedgerContext } from "../db/ledger/types";
import { newId } from "../db/ids";
import { chargeAttempt } from "../server/payments/charge-attempt";
import type { PaymentProvider } from "../server/payments/provider";

/** What the auto top-up job needs; `now` is injected so tests can move the clock. */
export interface AutoTopupDeps {
  ledger: LedgerContext;
  payments: PaymentProvider;
  /** PUBLIC_URL: base of the confirm link when a charge needs authentication. */
  publicUrl: string;
  now: () => Date;
}

/** What one run did. `skipped` runs charge nothing; `reason` says why, for logs and tests. */
export type AutoTopupRun =
  | { kind: "skipped"; reason: string; nextEligibleAt?: string }
  | { kind: "charged"; topupId: string; status: "succeeded" | "requires_action" | "failed" };

/**
 * How long a recorded attempt belongs to the run that recorded it: 2 minutes, longer than
 * one provider call with its retries (20 s timeout x 3 tries, server/payments/stripe.ts).
 * A pending attempt older than this was left by a crash and is resumed (same idempotency key).
 */
export const ATTEMPT_LEASE_MS = 2 * 60_000;

type Plan = { kind: "skip"; reason: string; nextEligibleAt?: string; notify?: boolean } | { kind: "charge"; attempt: TopupRow; card: PaymentMethodRow };

/**
 * The auto top-up job for one account (shared/DESIGN.md, "Auto top-up"):
 * 1. in one transaction, locks the settings row (`FOR UPDATE`, so concurrent runs queue)
 *    and decides: disabled, paused, balance not below the threshold, inside the cooldown,
 *    over the monthly cap, or no card -> skip; an attempt in flight (a pending `auto`
 *    top-up) -> skip while younger than ATTEMPT_LEASE_MS, else (left by a crash) resume it
 *    with its card; else records a new
 *    attempt (a pending `auto` top-up whose id is the idempotency key) and the attempt time;
 * 2. charges off-session with idempotency key `topup_<attempt id>`, so a resumed attempt
 *    gets the first charge's outcome instead of a second charge;
 * 3. applies the outcome (completeCharge: settle through settleTopup, fail, or pause).
 * Amount: `amount` plus any negative balance, or `targetBalance - balance`, clamped to
 * MIN_TOPUP_MINOR .. MAX_TOPUP_MINOR.
 * @throws ProviderError when the provider cannot be reached (the job retries and resumes)
 */
export async function runAutoTopup(deps: AutoTopupDeps, accountId: string): Promise<AutoTopupRun> {
  const plan = await deps.ledger.sql.begin((tx) => planAttempt(tx, deps, accountId));
  if (plan.kind === "skip") {
    if (plan.notify) {
      deps.ledger.events.notify(notice(accountId, "notification", "auto_topup.skipped", { reason: plan.reason }));
    }
    return { kind: "skipped", reason: plan.reason, nextEligibleAt: plan.nextEligibleAt };
  }
  const { attempt, card } = plan;
  const outcome = await chargeAttempt(
    deps,
    { id: attempt.id, accountId, amount: attempt.amount, currency: attempt.currency, kind: "auto" },
    card,
  );
  return { kind: "charged", topupId: attempt.id, status: outcome.status };
}

async function planAttempt(tx: Queryable, deps: AutoTopupDeps, accountId: string): Promise<Plan> {
  const [s] = await tx<(SettingsRow & { balance: number; currency: string; status: string })[]>`
    SELECT s.*, a.balance, a.currency, a.status FROM auto_topup_settings s JOIN accounts a ON a.id = s.account_id
     WHERE s.account_id = ${accountId} FOR UPDATE OF s`;
  if (!s || !s.enabled) return { kind: "skip", reason: "auto top-up is off" };
  if (s.status === "closed") return { kind: "skip", reason: "the account is closed" };
  const [inFlight] = await tx<TopupRow[]>`
    SELECT * FROM topups WHERE account_id = ${accountId} AND kind = 'auto' AND status = 'pending' LIMIT 1`;
  if (inFlight?.action_url || s.action_url) return { kind: "skip", reason: "waiting for the customer to confirm a payment" };
  const now = deps.now();
  if (inFlight && now.getTime() - inFlight.created_at.getTime() < ATTEMPT_LEASE_MS) {
    return { kind: "skip", reason: "an attempt is in flight" };
  }
  if (inFlight) {
    const card = await findChargeableCard(tx, accountId, inFlight.payment_method_id);
    if (card) return { kind: "charge", attempt: inFlight, card };
    await tx`UPDATE topups SET status = 'failed', failure_reason = 'The saved card was removed.' WHERE id = ${inFlight.id}`;
  }
  if (s.balance >= s.threshold) return { kind: "skip", reason: "the balance is not below the threshold" };
  const eligible = nextEligibleAt(s);
  if (eligible && eligible > now) {
    return { kind: "skip", reason: "inside the cooldown", nextEligibleAt: eligible.toISOString() };
  }
  const wanted = s.target_balance !== null ? s.target_balance - s.balance : s.amount! + Math.max(0, -s.balance);
  const amount = Math.min(MAX_TOPUP_MINOR, Math.max(MIN_TOPUP_MINOR, wanted));
  if (s.monthly_cap !== null) {
    const [spent] = await tx<{ total: number }[]>`
      SELECT coalesce(sum(amount), 0)::bigint AS total FROM topups
       WHERE account_id = ${accountId} AND kind = 'auto' AND status IN ('succeeded', 'pending')
         AND created_at >= date_trunc('month', ${now}::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
    if (spent!.total + amount > s.monthly_cap) return skipAndRecord(tx, accountId, now, "the monthly cap is reached");
  }
  const card = await findChargeableCard(tx, accountId, s.payment_method_id);
  if (!card) return skipAndRecord(tx, accountId, now, "no saved card to charge");
  const [attempt] = await tx<TopupRow[]>`
    INSERT INTO topups (id, account_id, amount, currency, provider, kind, payment_method_id, created_at)
    VALUES (${newId("tu")}, ${accountId}, ${amount}, ${s.currency}, ${deps.payments.name}, 'auto', ${card.id}, ${now})
    RETURNING *`;
  await tx`
    UPDATE auto_topup_settings SET last_attempt_at = ${now}, last_topup_id = ${attempt!.id}, updated_at = now()
     WHERE account_id = ${accountId}`;
  return { kind: "charge", attempt: attempt!, card };
}

/** A skip the customer should know about (cap reached, no card): recorded as the last result and notified. */
async function skipAndRecord(tx: Queryable, accountId: string, now: Date, reason: string): Promise<Plan> {
  await tx`
    UPDATE auto_topup_settings SET last_result = 'skipped', last_reason = ${reason}, updated_at = ${now}
     WHERE account_id = ${accountId}`;
  return { kind: "skip", reason, notify: true };
}
