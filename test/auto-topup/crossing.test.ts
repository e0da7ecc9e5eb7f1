import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAutoTopup } from "../../workers/run-auto-topup";
import { createTestContext, fund, newCustomer, type TestContext } from "../harness";
import { autoTopups, putAutoTopup, saveTestCard } from "./helpers";
import { verifyLedger } from "../../db/ledger/verify";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const jobsOf = (accountId: string) =>
  ctx.deps.database.sql<{ task_identifier: string; revision: number; payload: unknown }[]>`
    SELECT j.task_identifier, j.revision FROM graphile_worker.jobs j WHERE j.key = ${"auto_topup:" + accountId}`;

describe("a debit crossing the threshold enqueues the auto top-up in its own statement", () => {
  it("50 concurrent debits crossing together enqueue one job (added once) and start exactly one auto top-up", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 6_000);
    await saveTestCard(ctx, c.accountId, "4242");
    await putAutoTopup(ctx, c, { enabled: true, threshold: 5_000, amount: 2_000 });

    const responses = await Promise.all(
      Array.from({ length: 50 }, () => ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount: 100 } })),
    );
    expect(responses.every((r) => r.status === 201)).toBe(true);
    // revision 0: add_job ran once (a second call with the same job key would have replaced it, revision 1).
    expect(await jobsOf(c.accountId)).toEqual([{ task_identifier: "auto_topup", revision: 0 }]);

    // Several workers picking the job up at once still charge once: the settings row lock orders them.
    const now = () => new Date();
    const runs = await Promise.all(Array.from({ length: 5 }, () => runAutoTopup({ ...ctx.deps, now }, c.accountId)));
    expect(runs.filter((r) => r.kind === "charged")).toHaveLength(1);
    expect((await autoTopups(ctx, c.accountId)).map((t) => [t.status, t.amount])).toEqual([["succeeded", 2_000]]);
    const [acc] = await ctx.deps.database.sql<{ balance: number }[]>`SELECT balance FROM accounts WHERE id = ${c.accountId}`;
    expect(acc!.balance).toBe(6_000 - 5_000 + 2_000);
    expect(await verifyLedger(ctx.deps.database.sql)).toEqual([]);
  });

  it("debits that do not cross (already below, disabled, or staying above) enqueue nothing", async () => {
    const c = await newCustomer(ctx);
    await fund(ctx, c.accountId, 1_000);
    await putAutoTopup(ctx, c, { enabled: false, threshold: 900, amount: 500 });
    await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount: 200 } }); // crosses, but disabled
    await putAutoTopup(ctx, c, { enabled: true, threshold: 500, amount: 500 });
    await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount: 100 } }); // 700: above
    expect(await jobsOf(c.accountId)).toEqual([]);
    await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount: 300 } }); // 400: crosses
    await ctx.request("POST", "/api/v1/usage", { apiKey: c.apiKey, body: { amount: 100 } }); // already below
    expect(await jobsOf(c.accountId)).toEqual([{ task_identifier: "auto_topup", revision: 0 }]);
  });

  it("the sweep enqueues accounts below their threshold whose crossing job is missing", async () => {
    const { createTaskList } = await import("../../workers/tasks");
    const c = await newCustomer(ctx);
    await putAutoTopup(ctx, c, { enabled: true, threshold: 500, amount: 500 }); // balance 0 < 500, never crossed
    expect(await jobsOf(c.accountId)).toEqual([]);
    await createTaskList({ ...ctx.deps, now: () => new Date() }).auto_topup_sweep!({}, {} as never);
    expect(await jobsOf(c.accountId)).toHaveLength(1);
  });
});
