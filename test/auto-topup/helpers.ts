import { expect } from "vitest";
import { savePaymentMethod } from "../../db/ledger/payment-methods";
import type { AccountNotice } from "../../db/ledger/types";
import { simulatedCustomerId } from "../../server/payments/simulated-charge";
import type { PaymentProvider } from "../../server/payments/provider";
import { runAutoTopup, type AutoTopupDeps } from "../../workers/run-auto-topup";
import type { Customer, TestContext } from "../harness";

/**
 * Saves a simulated test card (by its last four digits: 4242 pays, 0341 declines off-session,
 * 3155 needs authentication) as the account's card, as a paid checkout would. Returns our id.
 */
export async function saveTestCard(ctx: TestContext, accountId: string, last4: "4242" | "0341" | "3155"): Promise<string> {
  await savePaymentMethod(ctx.deps.database.sql, accountId, {
    provider: "simulated",
    providerPaymentMethodId: `pm_sim_${last4}`,
    providerCustomerId: simulatedCustomerId(accountId),
    brand: "visa",
    last4,
    expMonth: 12,
    expYear: 2030,
  });
  const [row] = await ctx.deps.database.sql<{ id: string }[]>`
    SELECT id FROM payment_methods WHERE account_id = ${accountId} AND last4 = ${last4}`;
  return row!.id;
}

/** PUT /auto-topup as the customer; expects 200. */
export async function putAutoTopup(ctx: TestContext, c: Customer, body: Record<string, unknown>) {
  const res = await ctx.request("PUT", "/api/v1/auto-topup", { cookie: c.cookie, body });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json() as Promise<Record<string, unknown>>;
}

/** A fake clock for the job: starts at `start`, moved with `advance(ms)`. */
export function fakeClock(start = new Date("2026-03-10T12:00:00Z")) {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

/** Job dependencies from the test context, with an injected clock and optionally another provider. */
export function jobDeps(ctx: TestContext, now: () => Date, payments: PaymentProvider = ctx.deps.payments): AutoTopupDeps {
  return { ledger: ctx.deps.ledger, payments, publicUrl: ctx.deps.publicUrl, now };
}

/** Collects the account's notices from the bus until `stop()`. */
export async function collectNotices(ctx: TestContext, accountId: string) {
  const notices: AccountNotice[] = [];
  const stop = await ctx.deps.bus.subscribe(accountId, () => {}, (n) => notices.push(n));
  return { notices, stop };
}

/** The account's auto top-ups (attempt rows), oldest first. */
export async function autoTopups(ctx: TestContext, accountId: string) {
  return ctx.deps.database.sql<{ id: string; status: string; amount: number; failure_reason: string | null; action_url: string | null }[]>`
    SELECT id, status, amount, failure_reason, action_url FROM topups WHERE account_id = ${accountId} AND kind = 'auto' ORDER BY created_at, id`;
}

/**
 * Saves a card that every off-session charge declines (0341), enables auto top-up at
 * 10.00 / 20.00 with a 60 min cooldown, and runs the job three times 61 min apart: two
 * failures, then the third, which turns auto top-up off.
 */
export async function declineThreeTimes(ctx: TestContext, c: Customer): Promise<void> {
  await saveTestCard(ctx, c.accountId, "0341");
  await putAutoTopup(ctx, c, { enabled: true, threshold: 1_000, amount: 2_000, cooldownMinutes: 60 });
  const clock = fakeClock();
  for (let i = 0; i < 3; i++) {
    expect(await runAutoTopup(jobDeps(ctx, clock.now), c.accountId)).toMatchObject({ status: "failed" });
    clock.advance(61 * 60_000);
  }
}
