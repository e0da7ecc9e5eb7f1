import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../db/ledger/verify";
import { ATTEMPT_LEASE_MS, runAutoTopup } from "../../workers/run-auto-topup";
import { createTestContext, newCustomer, TEST_WEBHOOK_SECRET, type Customer, type TestContext } from "../harness";
import { confirmThroughPage } from "../payments/helpers";
import { autoTopups, collectNotices, fakeClock, jobDeps, putAutoTopup, saveTestCard } from "./helpers";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const MINUTE = 60_000;

async function settingsOf(c: Customer) {
  const res = await ctx.request("GET", "/api/v1/auto-topup", { cookie: c.cookie });
  return (await res.json()) as Record<string, unknown>;
}
async function balanceOf(accountId: string) {
  const [row] = await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${accountId}`;
  return row!.balance;
}

describe("auto top-up job with a fake clock", () => {
  it("no second attempt inside the cooldown; three declines in a row disable it with the reason and an event", async () => {
    const c = await newCustomer(ctx);
    await saveTestCard(ctx, c.accountId, "0341"); // saves fine, every off-session charge declined
    await putAutoTopup(ctx, c, { enabled: true, threshold: 1_000, amount: 2_000, cooldownMinutes: 60 });
    const clock = fakeClock();
    const deps = jobDeps(ctx, clock.now);
    const { notices, stop } = await collectNotices(ctx, c.accountId);

    expect(await runAutoTopup(deps, c.accountId)).toMatchObject({ kind: "charged", status: "failed" });
    clock.advance(59 * MINUTE);
    expect(await runAutoTopup(deps, c.accountId)).toMatchObject({ kind: "skipped", reason: "inside the cooldown" });
    expect(await autoTopups(ctx, c.accountId)).toHaveLength(1);
    expect(await settingsOf(c)).toMatchObject({
      enabled: true,
      consecutiveFailures: 1,
      lastResult: "failed",
      lastReason: "Your card was declined.",
      nextEligibleAt: "2026-03-10T13:00:00.000Z",
    });

    clock.advance(MINUTE);
    expect(await runAutoTopup(deps, c.accountId)).toMatchObject({ kind: "charged", status: "failed" });
    clock.advance(60 * MINUTE);
    expect(await runAutoTopup(deps, c.accountId)).toMatchObject({ kind: "charged", status: "failed" });
    const settings = await settingsOf(c);
    expect(settings).toMatchObject({ enabled: false, consecutiveFailures: 3, lastResult: "failed" });
    expect(settings.disabledReason).toMatch(/3 failed attempts in a row.*declined/);

    clock.advance(24 * 60 * MINUTE);
    expect(await runAutoTopup(deps, c.accountId)).toEqual({ kind: "skipped", reason: "auto top-up is off" });
    expect((await autoTopups(ctx, c.accountId)).map((t) => t.status)).toEqual(["failed", "failed", "failed"]);
    expect(notices.map((n) => n.type)).toEqual([
      "auto_topup.failed",
      "auto_topup.failed",
      "auto_topup.failed",
      "auto_topup.disabled",
    ]);
    expect(notices.every((n) => n.event === "notification")).toBe(true);
    expect(notices[3]!.data.reason).toBe(settings.disabledReason);
    stop();

    // Re-enabling is one click and starts from zero failures.
    const again = await putAutoTopup(ctx, c, { enabled: true, threshold: 1_000, amount: 2_000 });
    expect(again).toMatchObject({ enabled: true, consecutiveFailures: 0, disabledReason: null });
  });

  it("a success resets the failure count and tops up by amount plus the negative balance", async () => {
    const c = await newCustomer(ctx);
    await ctx.deps.database.sql`UPDATE accounts SET overdraft_limit = 1000 WHERE id = ${c.accountId}`;
    await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount: 300 } }); // -3.00
    const bad = await saveTestCard(ctx, c.accountId, "0341");
    const good = await saveTestCard(ctx, c.accountId, "4242");
    await putAutoTopup(ctx, c, { enabled: true, threshold: 500, amount: 2_000, paymentMethodId: bad });
    const clock = fakeClock();
    const deps = jobDeps(ctx, clock.now);
    await runAutoTopup(deps, c.accountId);
    clock.advance(61 * MINUTE);
    await runAutoTopup(deps, c.accountId);
    expect(await settingsOf(c)).toMatchObject({ consecutiveFailures: 2, enabled: true });

    await putAutoTopup(ctx, c, { enabled: true, threshold: 500, amount: 2_000, paymentMethodId: good });
    clock.advance(61 * MINUTE);
    expect(await runAutoTopup(deps, c.accountId)).toMatchObject({ kind: "charged", status: "succeeded" });
    expect(await settingsOf(c)).toMatchObject({ consecutiveFailures: 0, lastResult: "succeeded", lastReason: null });
    expect(await balanceOf(c.accountId)).toBe(-300 + 2_300);
  });

  it("target-balance mode charges up to the target; the monthly cap stops it with a reason", async () => {
    const c = await newCustomer(ctx);
    await saveTestCard(ctx, c.accountId, "4242");
    await putAutoTopup(ctx, c, { enabled: true, threshold: 1_000, targetBalance: 5_000, cooldownMinutes: 0, monthlyCap: 8_000 });
    const clock = fakeClock();
    const deps = jobDeps(ctx, clock.now);
    expect(await runAutoTopup(deps, c.accountId)).toMatchObject({ status: "succeeded" });
    expect(await balanceOf(c.accountId)).toBe(5_000);
    await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount: 4_500 } });
    const { notices, stop } = await collectNotices(ctx, c.accountId);
    expect(await runAutoTopup(deps, c.accountId)).toEqual({ kind: "skipped", reason: "the monthly cap is reached", nextEligibleAt: undefined });
    expect(await settingsOf(c)).toMatchObject({ lastResult: "skipped", lastReason: "the monthly cap is reached" });
    expect(notices.map((n) => n.type)).toEqual(["auto_topup.skipped"]);
    stop();
  });

  it("authentication required pauses it with a confirm link; confirming settles it and resumes", async () => {
    const c = await newCustomer(ctx);
    await saveTestCard(ctx, c.accountId, "3155");
    await putAutoTopup(ctx, c, { enabled: true, threshold: 1_000, amount: 2_000, cooldownMinutes: 0 });
    const clock = fakeClock();
    const deps = jobDeps(ctx, clock.now);
    expect(await runAutoTopup(deps, c.accountId)).toMatchObject({ status: "requires_action" });
    const paused = await settingsOf(c);
    expect(paused).toMatchObject({ enabled: true, consecutiveFailures: 0, lastResult: "requires_action" });
    const [attempt] = await autoTopups(ctx, c.accountId);
    expect(paused.actionUrl).toBe(`http://localhost:3000/pay/confirm/${attempt!.id}`);
    clock.advance(10 * MINUTE);
    expect(await runAutoTopup(deps, c.accountId)).toMatchObject({ kind: "skipped", reason: "waiting for the customer to confirm a payment" });

    const done = await confirmThroughPage(ctx, c, paused.actionUrl as string, "complete");
    expect(done.status).toBe(200);
    expect(done.html).toContain("Payment confirmed");
    expect(done.html).toContain("Auto top-up is running again.");
    expect(await balanceOf(c.accountId)).toBe(2_000);
    expect(await settingsOf(c)).toMatchObject({ actionUrl: null, lastResult: "succeeded", enabled: true });
    expect((await autoTopups(ctx, c.accountId)).map((t) => t.status)).toEqual(["succeeded"]);
  });
});

describe("crash safety", () => {
  it("worker process killed after the provider charged and before its commit, then re-run: one charge, one credit", async () => {
    const c = await newCustomer(ctx);
    await saveTestCard(ctx, c.accountId, "4242");
    await putAutoTopup(ctx, c, { enabled: true, threshold: 1_000, amount: 2_500 });

    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./crashing-worker.ts", import.meta.url)), c.accountId], {
      env: { ...process.env, DATABASE_URL: ctx.deps.database.url, LOG_LEVEL: "silent", STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
    expect(signal, stderr).toBe("SIGKILL");

    const [attempt] = await autoTopups(ctx, c.accountId);
    expect(attempt!.status).toBe("pending");
    const intents = () =>
      ctx.deps.database.sql`SELECT id FROM simulated_payment_intents WHERE idempotency_key = ${"topup_" + attempt!.id}`;
    expect(await intents()).toHaveLength(1); // the provider charged
    expect(await balanceOf(c.accountId)).toBe(0); // we never recorded it

    // The job's retry inside the lease leaves it alone; after the lease it resumes the same attempt.
    const clock = fakeClock(new Date());
    const deps = jobDeps(ctx, clock.now);
    expect(await runAutoTopup(deps, c.accountId)).toMatchObject({ kind: "skipped", reason: "an attempt is in flight" });
    clock.advance(ATTEMPT_LEASE_MS + 1_000);
    expect(await runAutoTopup(deps, c.accountId)).toMatchObject({ kind: "charged", topupId: attempt!.id, status: "succeeded" });
    expect(await runAutoTopup(deps, c.accountId)).toMatchObject({ kind: "skipped" });

    expect(await intents()).toHaveLength(1);
    const credits = await ctx.deps.database.sql`SELECT id FROM ledger_entries WHERE account_id = ${c.accountId} AND type = 'topup'`;
    expect(credits).toHaveLength(1);
    expect(await balanceOf(c.accountId)).toBe(2_500);
    expect((await autoTopups(ctx, c.accountId)).map((t) => t.status)).toEqual(["succeeded"]);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });
});
